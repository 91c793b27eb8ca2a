/**
 * The last `capacity` keys seen, least recently seen dropped first: duplicate detection for
 * messages the server may deliver more than once (resends, redelivery after a reconnect).
 */
export class RecentKeys {
  private readonly keys = new Map<string, true>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.keys.size;
  }

  /** Records `key`; false when it was already there (a duplicate; it becomes the most recent). */
  add(key: string): boolean {
    const seen = this.keys.delete(key);
    this.keys.set(key, true);
    if (!seen && this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    return !seen;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  clear(): void {
    this.keys.clear();
  }
}
