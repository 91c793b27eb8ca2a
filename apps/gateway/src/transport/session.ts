import { ownString, type AppId, type SessionId, type Uid } from '@parley/contracts';
import { createRateLimiter, type RateLimiter } from '@parley/platform';

/**
 * A session's client connection as the features use it (transport/connection.ts implements it:
 * the session does not depend on the socket's class, so the two do not import each other).
 */
export interface ClientLink {
  readonly closed: boolean;
  session: Session | null;
  send(frame: unknown): void;
  /** A frame already MessagePack-encoded (one encoding shared by every member a message fans out to). */
  sendEncoded(bytes: Uint8Array): void;
  event(evt: number, data: unknown): void;
  /** Pushes an event the client must acknowledge; resolves true on its ACK. */
  deliver(evt: number, data: unknown, timeoutMs: number): Promise<boolean>;
  /** deliver() with a callback (called once) instead of a Promise: the peer-message hot path. */
  deliverThen(evt: number, data: unknown, timeoutMs: number, settle: (ok: boolean) => void): void;
  close(code?: number, reason?: string): void;
}

/**
 * The key a session remembers a delivered peer message by (Session.rememberDelivered): sender and
 * message id. A flat string of its own, made by join: a template literal would be a rope pointing at
 * the id, and a decoded id is a slice of one string holding every string of the NATS message it came
 * in (msgpackr's native decoding). Remembered for the next 64 messages, the rope kept that whole
 * batch's text alive for a second or more: promoted to the old generation, over a quarter of what the
 * gateway promoted per P2P message.
 */
export function deliveredKey(from: string, id: string): string {
  return [from, id].join('\u0000');
}

/**
 * A session's peer messages on their way, by message id: a resend of one joins the first. Two
 * arrays searched from the end, an entry leaving by swap-and-pop: a session has a few in flight (at
 * most REQUESTS_IN_FLIGHT_MAX), and a Map with an entry in and out per message would drag every
 * message's Promise, and all it reaches, into the old generation (IdSlots in @parley/platform says how).
 */
export class InflightSends {
  private readonly ids: string[] = [];
  private readonly results: Promise<unknown>[] = [];

  get size(): number {
    return this.ids.length;
  }

  get(id: string): Promise<unknown> | undefined {
    const i = this.ids.lastIndexOf(id);
    return i < 0 ? undefined : this.results[i];
  }

  add(id: string, result: Promise<unknown>): void {
    this.ids.push(id);
    this.results.push(result);
  }

  delete(id: string): void {
    const i = this.ids.lastIndexOf(id);
    if (i < 0) return;
    const last = this.ids.length - 1;
    if (i !== last) {
      this.ids[i] = this.ids[last]!;
      this.results[i] = this.results[last]!;
    }
    this.ids.length = last;
    this.results.length = last;
  }
}

/** The key of a user of an app on this gateway (a session's key, the user's watches and subscriptions). */
export function userKey(appId: string, uid: string): string {
  return `${appId}/${uid}`;
}

/** A logged-in user on this gateway. Survives its connection for the reconnect window. */
export class Session {
  /** Set once presence registered the login; null while the login is in flight. */
  epoch: number | null = null;
  /** Highest KICK epoch seen while the login was in flight (settled when the epoch arrives). */
  kickedBy = 0;
  /** Highest BANNED epoch (a server API kick) seen while the login was in flight (settled likewise). */
  bannedBy = 0;
  ended = false;
  /** When the connection was lost (ms), 0 while attached. */
  detachedAt = 0;
  warnedTokenExpiry = false;
  notifiedTokenExpired = false;
  private limiters: Map<string, RateLimiter> | null = null;
  /** Uids whose online status this session subscribed to. */
  statusSubs: Set<string> | null = null;
  /** Uploads in progress: upload id → the subject of the media replica that holds it. */
  uploads: Map<string, string> | null = null;
  /** Channels this session joined (ids). */
  channels: Set<string> | null = null;
  /** Peer messages sent by this session and not answered yet, by message id (a resend joins the first). */
  inflight: InflightSends | null = null;
  /**
   * Keys (deliveredKey) of the last peer messages this session ACKed: a duplicate is not pushed
   * again. Two generations of Sets that are only added to: a Set with a key in and out per message
   * would leave a trail of its rehashed tables for the scavenger (IdSlots in @parley/platform says how).
   */
  private delivered: { current: Set<string>; previous: Set<string> | null } | null = null;
  readonly appId: AppId;
  readonly uid: Uid;
  readonly instanceId: string;
  /** `<appId>/<uid>`: the key of the user's subscription on this gateway. */
  readonly key: string;

  /** The strings are kept as strings of their own (ownString), not as slices of the LOGIN frame they came in. */
  constructor(
    readonly id: SessionId,
    appId: AppId,
    uid: Uid,
    instanceId: string,
    public tokenExpiresAt: number,
    public conn: ClientLink | null,
  ) {
    this.appId = ownString(appId) as AppId;
    this.uid = ownString(uid) as Uid;
    this.instanceId = ownString(instanceId);
    this.key = ownString(userKey(appId, uid));
  }

  /** Per-session rate limit by name (created lazily: most sessions never query). */
  limiter(name: string, limit: number, windowMs: number): RateLimiter {
    const limiters = (this.limiters ??= new Map());
    let limiter = limiters.get(name);
    if (!limiter) limiters.set(name, (limiter = createRateLimiter(limit, windowMs)));
    return limiter;
  }

  allow(name: string, limit: number, windowMs: number, now = Date.now()): boolean {
    return this.limiter(name, limit, windowMs).tryTake(now);
  }

  wasDelivered(key: string): boolean {
    const d = this.delivered;
    return d !== null && (d.current.has(key) || d.previous?.has(key) === true);
  }

  /** Remembers `key` among at least the last `keep` keys (at most 2 × keep). */
  rememberDelivered(key: string, keep: number): void {
    const d = (this.delivered ??= { current: new Set(), previous: null });
    if (this.wasDelivered(key)) return;
    if (d.current.size >= keep) {
      d.previous = d.current;
      d.current = new Set();
    }
    d.current.add(key);
  }
}
