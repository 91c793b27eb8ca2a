import { BucketedWindowLimiter, createRateLimiter, SlidingWindowLimiter } from './sliding-window';

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

describe('BucketedWindowLimiter', () => {
  it('allows `limit` events per window and frees them bucket by bucket', () => {
    const sut = new BucketedWindowLimiter(180, 3_000);
    for (let i = 0; i < 180; i++) expect(sut.tryTake(1_000 + i)).toBe(true); // all in the first 100 ms bucket
    expect(sut.tryTake(1_500)).toBe(false);
    expect(sut.retryAfter(1_500)).toBe(2_500); // the first bucket leaves at 4_000
    expect(sut.tryTake(3_999)).toBe(false); // still inside the window
    expect(sut.retryAfter(3_999)).toBe(1);
    expect(sut.tryTake(4_000)).toBe(true); // the first bucket left the window
  });

  it('spreads events over buckets and expires them in order', () => {
    const sut = new BucketedWindowLimiter(60, 3_000);
    for (let t = 0; t < 3_000; t += 50) expect(sut.tryTake(t)).toBe(true); // 60 events over 3 s
    expect(sut.tryTake(3_000 - 1)).toBe(false);
    expect(sut.retryAfter(3_000 - 1)).toBe(1);
    expect(sut.retryAfter(2_950)).toBe(50);
    expect(sut.tryTake(3_000)).toBe(true); // the bucket [0,100) left: 2 slots free
    expect(sut.tryTake(3_010)).toBe(true);
    expect(sut.tryTake(3_020)).toBe(false);
    expect(sut.tryTake(60_000)).toBe(true); // long idle: everything expired
  });

  it('is chosen for large limits only', () => {
    expect(createRateLimiter(10, 5_000)).toBeInstanceOf(SlidingWindowLimiter);
    expect(createRateLimiter(180, 3_000)).toBeInstanceOf(BucketedWindowLimiter);
  });
});
