/** Node's timers hold at most 2^31 - 1 ms; a longer delay would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * `ms` ± `spread` (20 %): replicas started together do not run their periodic jobs in lockstep, and
 * a job's worst-case delay is `ms × (1 + spread)`.
 */
export function jittered(ms: number, spread = 0.2): number {
  return ms * (1 - spread + 2 * spread * Math.random());
}

/**
 * One timer that fires at the earliest time it was asked for: asking for a later time while an
 * earlier one is set changes nothing. Periodic jobs use it to sleep until something can be due
 * (a deadline, the next safety sweep) instead of polling. Unref'd: it never keeps a process alive.
 */
export class Alarm {
  private timer?: NodeJS.Timeout;
  private at = Infinity;

  constructor(private readonly fire: () => void) {}

  /** Fires in `ms` (0: on the next turn of the event loop) unless it is set to fire sooner already. */
  in(ms: number): void {
    const delay = Math.min(Math.max(0, ms), MAX_DELAY_MS);
    const at = performance.now() + delay;
    if (at >= this.at) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Infinity;
      this.fire();
    }, delay).unref();
  }

  /** Milliseconds until it fires; Infinity when it is not set. */
  get dueIn(): number {
    return this.at === Infinity ? Infinity : Math.max(0, this.at - performance.now());
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
