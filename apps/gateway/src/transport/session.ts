import type { AppId, SessionId, Uid } from '@parley/contracts';
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
  inflight: Map<string, Promise<unknown>> | null = null;
  /** Keys (from + id) of the last peer messages this session ACKed: a duplicate is not pushed again. */
  private delivered: { keys: Set<string>; order: string[]; next: number } | null = null;

  constructor(
    readonly id: SessionId,
    readonly appId: AppId,
    readonly uid: Uid,
    readonly instanceId: string,
    public tokenExpiresAt: number,
    public conn: ClientLink | null,
  ) {}

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
    return this.delivered?.keys.has(key) ?? false;
  }

  rememberDelivered(key: string, keep: number): void {
    const d = (this.delivered ??= { keys: new Set(), order: [], next: 0 });
    if (d.keys.has(key)) return;
    if (d.order.length < keep) d.order.push(key);
    else {
      d.keys.delete(d.order[d.next]!);
      d.order[d.next] = key;
    }
    d.keys.add(key);
    d.next = (d.next + 1) % keep;
  }

  get key(): string {
    return `${this.appId}/${this.uid}`;
  }
}
