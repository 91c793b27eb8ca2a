/**
 * The last messages a gateway saw on one channel, kept as 32-bit hashes of (sender, message id) in a
 * ring: 4 bytes a message, so every channel a gateway holds can afford it on the hot path. After a
 * NATS reconnect, a message in the recovery stream that is not here was missed. A hash collision can
 * only make a missed message look seen (odds about size / 2^32 per message).
 */
export class SeenMessages {
  private readonly ring: Uint32Array;
  private next = 0;
  private count = 0;

  constructor(size: number) {
    this.ring = new Uint32Array(Math.max(1, size));
  }

  /** A channel message body from NATS ({from, id, …}); anything else is ignored. */
  noteMessage(body: unknown): void {
    const m = body as { from?: unknown; id?: unknown } | null;
    if (typeof m?.from === 'string' && typeof m.id === 'string') this.note(m.from, m.id);
  }

  note(from: string, id: string): void {
    this.ring[this.next] = messageHash(from, id);
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
  }

  has(from: string, id: string): boolean {
    const h = messageHash(from, id);
    for (let i = 0; i < this.count; i++) if (this.ring[i] === h) return true;
    return false;
  }
}

/** FNV-1a over the UTF-16 code units of `from`, a separator and `id` (no string is built). */
function messageHash(from: string, id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < from.length; i++) h = Math.imul(h ^ from.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xffff, 0x01000193);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
