import { ErrorCode } from '../errors';
import { takeSize } from './events.dto';

describe('takeSize', () => {
  it('is the cap when no max is asked, the smaller of the two otherwise', () => {
    expect(takeSize(undefined, 1_000)).toBe(1_000);
    expect(takeSize(10, 1_000)).toBe(10);
    expect(takeSize(5_000, 1_000)).toBe(1_000);
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])('rejects max %p', (max) => {
    expect(() => takeSize(max, 1_000)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
