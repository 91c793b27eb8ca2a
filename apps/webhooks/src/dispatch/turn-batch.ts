/**
 * Collects the items added during one turn of the event loop and hands them to `flush` together
 * (one database statement instead of one per item); each `add` resolves with its item's result. A
 * failed flush rejects every item of it.
 */
export class TurnBatch<T, R> {
  private items: T[] = [];
  private waiters: Array<{ resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => Promise<R[]>) {}

  add(item: T): Promise<R> {
    this.items.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
    return new Promise<R>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async run(): Promise<void> {
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.scheduled = false;
    try {
      const results = await this.flush(items);
      waiters.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
