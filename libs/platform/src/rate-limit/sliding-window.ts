/** At most `limit` events in any `windowMs`. */
export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Records the event and returns true, or returns false (and records nothing) when over the limit. */
  tryTake(now?: number): boolean;
  /** Milliseconds until tryTake would succeed (0 when it would now). */
  retryAfter(now?: number): number;
}

/** Limits up to this size keep exact timestamps; larger ones count in buckets (fixed memory). */
const EXACT_MAX = 32;
const BUCKETS = 30;

/** The limiter for a limit: exact for small limits, bucketed (1/30 of the window granularity) for large ones. */
export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  return limit <= EXACT_MAX ? new SlidingWindowLimiter(limit, windowMs) : new BucketedWindowLimiter(limit, windowMs);
}

/**
 * Exact sliding window over the last `limit` timestamps (a ring buffer): small and allocation-free
 * after construction, for limits of a few dozen (logins, queries).
 */
export class SlidingWindowLimiter implements RateLimiter {
  private readonly stamps: Float64Array;
  private next = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.stamps = new Float64Array(limit).fill(-Infinity);
  }

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

/**
 * Sliding window counted in BUCKETS slots of windowMs/BUCKETS each: 30 counters whatever the
 * limit (180 messages per 3 s costs 120 bytes, not 180 timestamps). Events leave the window with
 * their bucket, so the window is exact to one bucket (100 ms for 3 s).
 */
export class BucketedWindowLimiter implements RateLimiter {
  private readonly counts = new Uint32Array(BUCKETS);
  private readonly bucketMs: number;
  private current = 0;
  private currentStart = -Infinity;
  private total = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.bucketMs = Math.max(1, windowMs / BUCKETS);
  }

  tryTake(now = Date.now()): boolean {
    this.advance(now);
    if (this.total >= this.limit) return false;
    this.counts[this.current]!++;
    this.total++;
    return true;
  }

  retryAfter(now = Date.now()): number {
    this.advance(now);
    if (this.total < this.limit) return 0;
    // The bucket `age` steps behind the current one leaves the window BUCKETS - age steps after currentStart.
    let left = this.total;
    for (let age = BUCKETS - 1; age >= 0; age--) {
      left -= this.counts[(this.current - age + BUCKETS) % BUCKETS]!;
      if (left < this.limit) return Math.max(1, Math.ceil(this.currentStart + (BUCKETS - age) * this.bucketMs - now));
    }
    return this.windowMs;
  }

  private advance(now: number): void {
    const steps = Math.floor((now - this.currentStart) / this.bucketMs);
    if (steps <= 0) return;
    if (steps >= BUCKETS) {
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let i = 0; i < steps; i++) {
        this.current = (this.current + 1) % BUCKETS;
        this.total -= this.counts[this.current]!;
        this.counts[this.current] = 0;
      }
    }
    this.currentStart = this.currentStart === -Infinity ? now : this.currentStart + steps * this.bucketMs;
    if (steps >= BUCKETS) this.currentStart = now;
  }
}
