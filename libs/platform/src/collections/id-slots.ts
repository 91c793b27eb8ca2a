const MIN_CAPACITY = 4;
/** An empty table at least this large goes back to RESET_CAPACITY (a burst is over). */
const SHRINK_FROM = 256;
const RESET_CAPACITY = 16;
const MAX_CAPACITY = 2 ** 30;

/**
 * Entries in flight by increasing integer id (a request, a push waiting for its ACK): an array
 * indexed by `id & mask`, grown (doubled) when a new id's slot is still taken by an older live
 * one. For the hot path instead of a Map with an entry added and removed per message.
 *
 * Why not a Map: V8 rehashes a Map's table every few additions when entries keep leaving (the
 * deleted slots fill it), and the table it leaves links to its successor and still holds the
 * entries it had. Once a full GC has moved the current table to the old generation (each full GC
 * moves every live young object), the abandoned old table keeps the next one alive through every
 * scavenge, that one the next, and so on until the next full GC — with every entry they held and
 * everything those reach. A gateway routing peer messages through a Map of pending items promoted
 * ~1 KB per message that way (the whole message: frames, closures, Promise), and spent 10+ µs per
 * message in scavenges; with these slots, ~50 B. Here an entry leaves by clearing its slot: nothing
 * is left pointing at it, and the arrays are only replaced when they grow.
 *
 * Ids are safe integers that only increase (per table); at most ~2^53 of them over a table's life.
 */
export class IdSlots<T> {
  private ids: Float64Array;
  private values: (T | undefined)[];
  private mask: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    const n = capacityFor(capacity);
    this.ids = new Float64Array(n).fill(-1);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Room for the slots: capacity in entries (a power of two). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Adds or replaces the entry of `id`. */
  set(id: number, value: T): void {
    let slot = id & this.mask;
    if (this.ids[slot] !== id && this.values[slot] !== undefined) {
      this.grow(id);
      slot = id & this.mask;
    }
    if (this.values[slot] === undefined) this.count++;
    this.ids[slot] = id;
    this.values[slot] = value;
  }

  get(id: number): T | undefined {
    const slot = id & this.mask;
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  /** Removes and returns the entry of `id`, if it is here. */
  take(id: number): T | undefined {
    const slot = id & this.mask;
    if (this.ids[slot] !== id) return undefined;
    const value = this.values[slot];
    if (value === undefined) return undefined;
    this.values[slot] = undefined;
    this.ids[slot] = -1;
    if (--this.count === 0 && this.mask + 1 >= SHRINK_FROM) this.reset();
    return value;
  }

  /** Every entry (in slot order, not id order); `fn` may take() the entry it gets, not set() one. */
  forEach(fn: (value: T, id: number) => void): void {
    const { ids, values } = this;
    for (let slot = 0; slot < values.length && this.count > 0; slot++) {
      const value = values[slot];
      if (value !== undefined) fn(value, ids[slot]!);
      if (this.values !== values) return; // emptied and reset by `fn`
    }
  }

  /** Doubles the slots until every live id and `id` have one of their own. */
  private grow(id: number): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    let n = (this.mask + 1) * 2;
    for (;;) {
      const mask = n - 1;
      const taken = new Set<number>([id & mask]);
      let fits = true;
      for (let slot = 0; slot < oldValues.length && fits; slot++) {
        if (oldValues[slot] === undefined) continue;
        const at = oldIds[slot]! & mask;
        if (taken.has(at)) fits = false;
        else taken.add(at);
      }
      if (fits) break;
      n *= 2;
      // Two live ids 2^30 apart: impossible for ids handed out one by one to entries that time out.
      if (n > MAX_CAPACITY) throw new Error(`IdSlots: live ids ${id} and an older one are too far apart`);
    }
    this.ids = new Float64Array(n).fill(-1);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    for (let slot = 0; slot < oldValues.length; slot++) {
      const value = oldValues[slot];
      if (value === undefined) continue;
      const at = oldIds[slot]! & this.mask;
      this.ids[at] = oldIds[slot]!;
      this.values[at] = value;
    }
    oldValues.fill(undefined); // in case the old array is in the old generation: it points at nothing now
  }

  /** Empty after a burst: back to a small table. */
  private reset(): void {
    const n = RESET_CAPACITY;
    this.ids = new Float64Array(n).fill(-1);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }
}

function capacityFor(n: number): number {
  let c = MIN_CAPACITY;
  while (c < n) c *= 2;
  return c;
}
