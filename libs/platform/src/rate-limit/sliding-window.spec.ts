import { SlidingWindowLimiter } from './sliding-window';

describe('SlidingWindowLimiter', () => {
  it('allows `limit` events in any window and refuses the next until the oldest leaves it', () => {
    const sut = new SlidingWindowLimiter(3, 1_000);
    expect([0, 100, 200].map((t) => sut.tryTake(t))).toEqual([true, true, true]);
    expect(sut.tryTake(999)).toBe(false);
    expect(sut.retryAfter(999)).toBe(1);
    expect(sut.tryTake(1_000)).toBe(true); // the event at 0 left the window
    expect(sut.tryTake(1_050)).toBe(false);
    expect(sut.tryTake(1_100)).toBe(true);
  });

  it('does not count refused attempts', () => {
    const sut = new SlidingWindowLimiter(1, 100);
    expect(sut.tryTake(0)).toBe(true);
    for (let t = 1; t < 100; t += 10) expect(sut.tryTake(t)).toBe(false);
    expect(sut.tryTake(100)).toBe(true);
  });
});
