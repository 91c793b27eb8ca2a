import { Injectable } from '@nestjs/common';
import { Evt, ownString, type AppId, type PeerState } from '@parley/contracts';
import { Subjects, type StatusChange } from '@parley/contracts/internal';
import { InterestRegistry, NatsBus, type Interest } from '@parley/platform';
import { userKey, type Session } from '../transport/session';

interface WatchState {
  readonly appId: string;
  readonly uid: string;
  /** Last state applied and its seq (-1: none yet). */
  state: PeerState;
  seq: number;
}

/**
 * What this gateway knows of one watched uid, shared by all its sessions that subscribed to it
 * (`members`); `holds` counts subscribe calls in flight that will add one: the watch outlives them.
 */
export type Watch = Interest<Session, WatchState>;

/**
 * Interest-based status subjects: the gateway subscribes to a uid's status subject only while one of
 * its sessions subscribed to that uid. Changes are applied in seq order (an older or repeated one is
 * dropped) and pushed to the watching sessions when the state really changed.
 */
@Injectable()
export class StatusWatch {
  private readonly registry: InterestRegistry<Session, WatchState>;

  constructor(bus: NatsBus) {
    this.registry = new InterestRegistry(bus, (watch, body) => this.onChange(watch, body));
  }

  /** The watch of the uid, created (and subscribed) when missing; call flush() before trusting a snapshot. */
  ensure(appId: string, uid: string): Watch {
    return this.registry.acquire(userKey(appId, uid), Subjects.status(appId as AppId, uid), () => ({ appId, uid: ownString(uid), state: 2, seq: -1 }));
  }

  /** Makes sure new subscriptions are active on the server (before asking presence for a snapshot). */
  flush(): Promise<void> {
    return this.registry.flush();
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
    this.registry.remove(userKey(appId, uid), session ?? undefined);
  }

  get size(): number {
    return this.registry.size;
  }

  private onChange(watch: Watch, body: unknown): void {
    const change = body as StatusChange;
    if (!Array.isArray(change) || typeof change[2] !== 'number') return;
    const [, state, seq] = change;
    if (seq <= watch.seq) return;
    const changed = state !== watch.state || watch.seq < 0;
    watch.state = state;
    watch.seq = seq;
    if (!changed) return;
    const event = { [watch.uid]: state };
    for (const session of watch.members) session.conn?.event(Evt.PEER_STATUS, event);
  }
}
