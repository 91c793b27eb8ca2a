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

/**
 * CachedValue per key (an app id, or '' for all apps): each key's query runs at most once per
 * `maxAgeMs`, however many callers ask. At most `maxKeys` keys are kept (past that the cache starts
 * over), so asking for many keys costs queries, never unbounded memory.
 */
export class CachedValues<T> {
  private readonly values = new Map<string, CachedValue<T>>();
  constructor(
    private readonly query: (key: string) => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly maxKeys = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): Promise<T> {
    let value = this.values.get(key);
    if (!value) {
      if (this.values.size >= this.maxKeys) this.values.clear();
      this.values.set(key, (value = new CachedValue(() => this.query(key), this.maxAgeMs, this.now)));
    }
    return value.get();
  }
}
