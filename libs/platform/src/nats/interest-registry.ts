import type { Msg, Subscription } from 'nats';
import type { NatsBus } from './nats-bus';

export type InterestHandler<M> = (members: ReadonlySet<M>, body: unknown, msg: Msg) => void;

interface Entry<M> {
  sub: Subscription;
  members: Set<M>;
}

/**
 * Interest-based subscriptions: a subject is subscribed while at least one local member cares about
 * its key, once however many, and unsubscribed after the last leaves. The handler gets the key's
 * members (a live set) with each decoded body. One registry per kind of interest (users, channels,
 * watched statuses), each with its handler.
 */
export class InterestRegistry<M> {
  private readonly entries = new Map<string, Entry<M>>();

  constructor(
    private readonly bus: NatsBus,
    private readonly handler: InterestHandler<M>,
  ) {}

  /** Adds `member` under `key`; subscribes `subject` when it is the key's first. True when it subscribed. */
  add(key: string, subject: string, member: M): boolean {
    const existing = this.entries.get(key);
    if (existing) {
      existing.members.add(member);
      return false;
    }
    const members = new Set([member]);
    const sub = this.bus.subscribe(subject, (body, msg) => this.handler(members, body, msg));
    this.entries.set(key, { sub, members });
    return true;
  }

  /** Removes `member`; unsubscribes after the key's last member. True when it unsubscribed. */
  remove(key: string, member: M): boolean {
    const entry = this.entries.get(key);
    if (!entry || !entry.members.delete(member)) return false;
    if (entry.members.size > 0) return false;
    if (!this.bus.closed) entry.sub.unsubscribe();
    this.entries.delete(key);
    return true;
  }

  members(key: string): ReadonlySet<M> | undefined {
    return this.entries.get(key)?.members;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Subscriptions held (one per key). */
  get size(): number {
    return this.entries.size;
  }
}
