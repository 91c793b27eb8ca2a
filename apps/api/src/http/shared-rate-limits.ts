import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { Subscription } from 'nats';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { tooManyRequests } from './api-error';

export type RateKind = 'send' | 'events' | 'query' | 'history';

/** One replica's counts since its last report: {window, counts per kind per app}. */
interface ApiUsage {
  r: string;
  w: Record<RateKind, number>;
  c: Partial<Record<RateKind, Record<string, number>>>;
}

interface Counter {
  window: number;
  local: number;
  remote: number;
  unreported: number;
}

/**
 * Per-app limits over all API replicas (Agora counts per App ID, not per server): each replica counts
 * its own requests in fixed windows and tells the others every RATE_SYNC_MS on one NATS subject; a
 * request passes while its app's local + heard count of the current window is below the limit. No
 * database or round trip on the request path; replicas may overshoot by what the others admitted in
 * the last RATE_SYNC_MS.
 */
@Injectable()
export class SharedRateLimits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly replica = randomBytes(6).toString('hex');
  private readonly counters: Record<RateKind, Map<string, Counter>> = { send: new Map(), events: new Map(), query: new Map(), history: new Map() };
  private readonly limits: Record<RateKind, { limit: number; windowMs: number }>;
  private timer?: NodeJS.Timeout;
  private sub?: Subscription;

  constructor(
    private readonly bus: NatsBus,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.limits = { send: config.API_SEND_RATE, events: config.API_EVENTS_RATE, query: config.API_QUERY_RATE, history: config.API_HISTORY_RATE };
  }

  onApplicationBootstrap(): void {
    this.sub = this.bus.subscribe(Subjects.apiUsage, (body) => this.heard(body as ApiUsage));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.bus.unsubscribe(this.sub);
  }

  /** Counts one request of `appId`, or throws 429 with the time until the window ends. */
  take(kind: RateKind, appId: string, now = Date.now()): void {
    const { limit, windowMs } = this.limits[kind];
    const c = this.counter(kind, appId, Math.floor(now / windowMs));
    if (c.local + c.remote >= limit) throw tooManyRequests(windowMs - (now % windowMs));
    c.local++;
    c.unreported++;
    // Reports run only while something was counted: an idle replica sends nothing.
    this.timer ??= setInterval(() => this.report(), this.config.RATE_SYNC_MS).unref();
  }

  private counter(kind: RateKind, appId: string, window: number): Counter {
    const map = this.counters[kind];
    let c = map.get(appId);
    if (!c || c.window !== window) {
      if (map.size > 10_000) map.clear();
      c = { window, local: 0, remote: c && c.window === window ? c.remote : 0, unreported: 0 };
      map.set(appId, c);
    }
    return c;
  }

  private report(now = Date.now()): void {
    const usage: ApiUsage = { r: this.replica, w: { send: 0, events: 0, query: 0, history: 0 }, c: {} };
    let any = false;
    for (const kind of Object.keys(this.counters) as RateKind[]) {
      const window = Math.floor(now / this.limits[kind].windowMs);
      usage.w[kind] = window;
      for (const [appId, c] of this.counters[kind]) {
        if (c.window !== window) {
          this.counters[kind].delete(appId); // a past window: nothing left to tell
          continue;
        }
        if (c.unreported === 0) continue;
        (usage.c[kind] ??= {})[appId] = c.unreported;
        c.unreported = 0;
        any = true;
      }
    }
    if (any) this.bus.publish(Subjects.apiUsage, usage);
    else if ([...Object.values(this.counters)].every((m) => m.size === 0)) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private heard(u: ApiUsage): void {
    if (!u || u.r === this.replica || typeof u.c !== 'object' || !u.c) return;
    for (const kind of Object.keys(this.counters) as RateKind[]) {
      const apps = u.c[kind];
      // Only reports of this replica's current window count (a late one, or a skewed clock's, is dropped).
      if (!apps || u.w?.[kind] !== Math.floor(Date.now() / this.limits[kind].windowMs)) continue;
      for (const [appId, n] of Object.entries(apps)) {
        if (typeof n !== 'number' || !(n > 0)) continue;
        this.counter(kind, appId, u.w[kind]).remote += n;
      }
    }
  }
}
