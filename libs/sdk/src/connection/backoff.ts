/** Jittered exponential backoff: delay n is uniform in [d/2, d] with d = min(max, initial·2ⁿ). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return d / 2 + this.random() * (d / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
