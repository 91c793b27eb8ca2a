/** Sliding-window call counter: at most `max` calls in any `windowMs`. */
export class RateWindow {
  private calls: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records a call; false when it is over the limit (not recorded then). */
  take(now = Date.now()): boolean {
    let drop = 0;
    while (drop < this.calls.length && now - this.calls[drop] >= this.windowMs) drop++;
    if (drop) this.calls = this.calls.slice(drop);
    if (this.calls.length >= this.max) return false;
    this.calls.push(now);
    return true;
  }

  /** Forgets every recorded call. */
  reset(): void {
    this.calls = [];
  }
}

/** agora-rtm-sdk 1.x: at most 180 messages (peer and channel messages together) in a sliding 3 s. */
export const MESSAGE_RATE = { max: 180, windowMs: 3000 } as const;
