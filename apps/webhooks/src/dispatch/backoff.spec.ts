import { pastHorizon, retryDelayMs } from './backoff';

describe('retry backoff', () => {
  it('doubles the ceiling per attempt, caps it and jitters below it', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1_000, 60_000, () => 0.999999))).toEqual([999, 1_999, 3_999, 7_999]);
    expect(retryDelayMs(30, 1_000, 60_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, 1_000, 60_000, () => 0)).toBe(0);
    expect(retryDelayMs(10_000, 1_000, 60_000, () => 0.5)).toBe(30_000);
  });

  it('declares a delivery dead once its next attempt would fall after the horizon', () => {
    expect(pastHorizon(0, 1_000, 1_000)).toBe(false);
    expect(pastHorizon(0, 1_001, 1_000)).toBe(true);
  });
});
