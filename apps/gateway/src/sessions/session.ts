import type { AppId, SessionId, Uid } from '@parley/contracts';
import { SlidingWindowLimiter } from '@parley/platform';
import type { Connection } from '../ws/connection';

/** A logged-in user on this gateway. Survives its connection for the reconnect window. */
export class Session {
  /** Set once presence registered the login; null while the login is in flight. */
  epoch: number | null = null;
  /** Highest KICK epoch seen while the login was in flight (settled when the epoch arrives). */
  kickedBy = 0;
  ended = false;
  /** When the connection was lost (ms), 0 while attached. */
  detachedAt = 0;
  warnedTokenExpiry = false;
  notifiedTokenExpired = false;
  private limiters: Map<string, SlidingWindowLimiter> | null = null;
  /** Peer messages sent by this session and not answered yet, by message id (a resend joins the first). */
  inflight: Map<string, Promise<unknown>> | null = null;
  /** Keys (from + id) of the last peer messages this session ACKed: a duplicate is not pushed again. */
  private delivered: string[] | null = null;
  private deliveredNext = 0;

  constructor(
    readonly id: SessionId,
    readonly appId: AppId,
    readonly uid: Uid,
    readonly instanceId: string,
    public tokenExpiresAt: number,
    public conn: Connection | null,
  ) {}

  /** Per-session rate limit by name (created lazily: most sessions never query). */
  allow(name: string, limit: number, windowMs: number, now = Date.now()): boolean {
    const limiters = (this.limiters ??= new Map());
    let limiter = limiters.get(name);
    if (!limiter) limiters.set(name, (limiter = new SlidingWindowLimiter(limit, windowMs)));
    return limiter.tryTake(now);
  }

  wasDelivered(key: string): boolean {
    return this.delivered?.includes(key) ?? false;
  }

  rememberDelivered(key: string, keep: number): void {
    const ring = (this.delivered ??= []);
    if (ring.length < keep) ring.push(key);
    else ring[this.deliveredNext] = key;
    this.deliveredNext = (this.deliveredNext + 1) % keep;
  }

  get key(): string {
    return `${this.appId}/${this.uid}`;
  }
}
