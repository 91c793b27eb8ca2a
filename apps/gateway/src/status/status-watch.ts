import { Injectable, Logger } from '@nestjs/common';
import { createCodec, Evt, Subjects, type AppId, type PeerState, type StatusChange } from '@parley/contracts';
import { guardedCallback, InjectNats } from '@parley/platform';
import type { NatsConnection, Subscription } from 'nats';
import type { Session } from '../sessions/session';

const codec = createCodec();

/** What this gateway knows of one watched uid, shared by all its sessions that subscribed to it. */
export interface Watch {
  readonly appId: string;
  readonly uid: string;
  sub: Subscription;
  watchers: Set<Session>;
  /** Subscribe calls in flight that will add a watcher: the watch must outlive them. */
  pending: number;
  /** Last state applied and its seq (-1: none yet). */
  state: PeerState;
  seq: number;
}

/**
 * Interest-based status subjects: the gateway subscribes to a uid's status subject only while one of
 * its sessions subscribed to that uid. Changes are applied in seq order (an older or repeated one is
 * dropped) and pushed to the watching sessions when the state really changed.
 */
@Injectable()
export class StatusWatch {
  private readonly logger = new Logger(StatusWatch.name);
  private readonly watches = new Map<string, Watch>();

  constructor(@InjectNats() private readonly nc: NatsConnection) {}

  /** The watch of the uid, created (and subscribed) when missing; call flush() before trusting a snapshot. */
  ensure(appId: string, uid: string): Watch {
    const key = `${appId}/${uid}`;
    let watch = this.watches.get(key);
    if (!watch) {
      const created: Watch = { appId, uid, sub: undefined as unknown as Subscription, watchers: new Set(), pending: 0, state: 2, seq: -1 };
      created.sub = this.nc.subscribe(Subjects.status(appId as AppId, uid), {
        callback: guardedCallback(this.logger, (msg) => this.onChange(created, msg.data)),
      });
      this.watches.set(key, created);
      watch = created;
    }
    return watch;
  }

  /** Makes sure new subscriptions are active on the server (before asking presence for a snapshot). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** A snapshot from presence: applied unless a newer change already arrived. */
  applySnapshot(watch: Watch, state: PeerState, seq: number): void {
    if (watch.seq < 0 || seq > watch.seq) {
      watch.state = state;
      watch.seq = seq;
    }
  }

  /** Drops the session from the uid's watchers; the subscription ends with the last one. */
  release(session: Session | null, appId: string, uid: string): void {
    const key = `${appId}/${uid}`;
    const watch = this.watches.get(key);
    if (!watch) return;
    if (session) watch.watchers.delete(session);
    if (watch.watchers.size === 0 && watch.pending === 0) {
      watch.sub.unsubscribe();
      this.watches.delete(key);
    }
  }

  get size(): number {
    return this.watches.size;
  }

  private onChange(watch: Watch, data: Uint8Array): void {
    let change: StatusChange;
    try {
      change = codec.decode(data) as StatusChange;
    } catch {
      return;
    }
    if (!Array.isArray(change) || typeof change[2] !== 'number') return;
    const [, state, seq] = change;
    if (seq <= watch.seq) return;
    const changed = state !== watch.state || watch.seq < 0;
    watch.state = state;
    watch.seq = seq;
    if (!changed) return;
    const event = { [watch.uid]: state };
    for (const session of watch.watchers) session.conn?.event(Evt.PEER_STATUS, event);
  }
}
