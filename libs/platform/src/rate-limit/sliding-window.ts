/**
 * At most `limit` events in any `windowMs` (exact sliding window over the last `limit` timestamps).
 * Small and allocation-free after construction; meant for per-session limits of a few dozen.
 */
export class SlidingWindowLimiter {
  private readonly stamps: Float64Array;
  private next = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.stamps = new Float64Array(limit).fill(-Infinity);
  }

  /** Records the event and returns true, or returns false (and records nothing) when over the limit. */
  tryTake(now = Date.now()): boolean {
    // The oldest of the last `limit` events sits at `next` (ring buffer).
    if (now - this.stamps[this.next]! < this.windowMs) return false;
    this.stamps[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    return true;
  }

  /** Milliseconds until tryTake would succeed. */
  retryAfter(now = Date.now()): number {
    return Math.max(0, this.windowMs - (now - this.stamps[this.next]!));
  }
}
