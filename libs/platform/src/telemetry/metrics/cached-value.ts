/**
 * A value from a query that may be costly (a count over a table), recomputed at most once per
 * `maxAgeMs`: a scrape inside that window gets the cached value, concurrent scrapes share one query.
 * A failed query is not cached (the next scrape tries again) and rejects.
 */
export class CachedValue<T> {
  private value: T | undefined;
  private at = -Infinity;
  private running: Promise<T> | undefined;

  constructor(
    private readonly query: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(): Promise<T> {
    if (this.value !== undefined && this.now() - this.at < this.maxAgeMs) return Promise.resolve(this.value);
    this.running ??= this.query().then(
      (value) => {
        this.value = value;
        this.at = this.now();
        this.running = undefined;
        return value;
      },
      (err: unknown) => {
        this.running = undefined;
        throw err;
      },
    );
    return this.running;
  }
}
