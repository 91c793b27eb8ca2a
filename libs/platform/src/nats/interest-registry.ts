import type { Msg, Subscription } from 'nats';
import { ownString } from '@parley/contracts';
import type { NatsBus } from './nats-bus';

/**
 * One key's interest: who cares locally (`members`), how many callers hold it besides them
 * (`holds`: e.g. requests in flight that will add a member), and the kind's own state `S`.
 */
export type Interest<M, S extends object = object> = S & {
  readonly key: string;
  readonly members: Set<M>;
  holds: number;
};

export type InterestHandler<M, S extends object> = (interest: Interest<M, S>, body: unknown, msg: Msg) => void;

/**
 * Interest-based subscriptions: a key's subject is subscribed while at least one local member (or
 * hold) cares about it — once, however many — and unsubscribed after the last leaves. Each decoded
 * message reaches the handler with the key's interest (its live member set and state). One registry
 * per kind of interest: users, channels, watched statuses.
 */
export class InterestRegistry<M, S extends object = object> {
  private readonly entries = new Map<string, { interest: Interest<M, S>; sub: Subscription }>();

  constructor(
    private readonly bus: NatsBus,
    private readonly handler: InterestHandler<M, S>,
  ) {}

  /** The key's interest, subscribing `subject` when it is new (`init` gives its state). */
  acquire(key: string, subject: string, init: () => S): Interest<M, S> {
    const existing = this.entries.get(key);
    if (existing) return existing.interest;
    // The key and subject live as long as the interest: strings of their own, not ropes of decoded slices.
    const interest = Object.assign(init(), { key: ownString(key), members: new Set<M>(), holds: 0 }) as Interest<M, S>;
    const sub = this.bus.subscribe(ownString(subject), (body, msg) => this.handler(interest, body, msg));
    this.entries.set(interest.key, { interest, sub });
    return interest;
  }

  /** Adds `member` under `key` (subscribing on the key's first interest). */
  add(key: string, subject: string, member: M, init: () => S): Interest<M, S> {
    const interest = this.acquire(key, subject, init);
    interest.members.add(member);
    return interest;
  }

  /** Removes `member` (if given); unsubscribes when nobody is left. True when it unsubscribed. */
  remove(key: string, member?: M): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (member !== undefined) entry.interest.members.delete(member);
    if (entry.interest.members.size > 0 || entry.interest.holds > 0) return false;
    this.bus.unsubscribe(entry.sub);
    this.entries.delete(key);
    return true;
  }

  get(key: string): Interest<M, S> | undefined {
    return this.entries.get(key)?.interest;
  }

  /** Every key's interest, right now. */
  interests(): Interest<M, S>[] {
    return [...this.entries.values()].map((e) => e.interest);
  }

  /** Subscriptions held (one per key). */
  get size(): number {
    return this.entries.size;
  }

  /** Resolves once the server has every subscription made so far (before trusting a snapshot or a replay). */
  flush(): Promise<void> {
    return this.bus.flush();
  }
}
