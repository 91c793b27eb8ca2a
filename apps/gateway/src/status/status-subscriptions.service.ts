import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  isUid,
  ownString,
  ParleyError,
  type PeerState,
  type QuerySubscribedArgs,
  type QuerySubscribedResult,
  type SubscribeStatusArgs,
  type SubscribeStatusResult,
  type UnsubscribeStatusArgs,
} from '@parley/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { PresenceClient } from '../clients/presence.client';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { StatusWatch, type Watch } from './status-watch';

/**
 * subscribePeersOnlineStatus / unsubscribePeersOnlineStatus / queryPeersBySubscriptionOption.
 * A session's subscriptions live as long as the session; the SDK subscribes again after it resumes
 * (on this or another gateway) and diffs the answer with what it knew.
 */
@Injectable()
export class StatusSubscriptionsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly presence: PresenceClient,
    private readonly watch: StatusWatch,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async subscribe(conn: Connection, args: SubscribeStatusArgs): Promise<SubscribeStatusResult> {
    const session = this.sessions.requireSession(conn);
    const uids = this.requireUids(args?.uids);
    enforceRate(session, 'status-subscribe', this.config.STATUS_SUBSCRIBE_RATE);
    const subs = (session.statusSubs ??= new Set());
    const added = [...new Set(uids)].filter((uid) => !subs.has(uid));
    const max = this.config.STATUS_SUBSCRIPTIONS_MAX;
    if (subs.size + added.length > max) throw new ParleyError(ErrorCode.OVERFLOW, `at most ${max} subscribed users`);
    const { appId } = session;
    const watches = new Map<string, Watch>(uids.map((uid) => [uid, this.watch.ensure(appId, uid)]));
    for (const w of watches.values()) w.holds++;
    for (const uid of added) subs.add(ownString(uid)); // kept for the session's life: not a slice of this frame's strings
    let failure: unknown = null;
    try {
      const unknown = [...watches.values()].filter((w) => w.seq < 0);
      if (unknown.length) {
        await this.watch.flush();
        const snapshot = await this.presence.statuses({ appId, uids: unknown.map((w) => w.uid) });
        unknown.forEach((w, i) => this.watch.applySnapshot(w, snapshot.states[i]!, snapshot.seqs[i]!));
      }
      if (session.ended) failure = new ParleyError(ErrorCode.NOT_LOGGED_IN, 'session ended');
    } catch (err) {
      failure = err;
    }
    for (const w of watches.values()) w.holds--;
    if (failure) {
      for (const uid of added) subs.delete(uid);
      for (const uid of watches.keys()) this.watch.release(null, appId, uid);
      throw failure;
    }
    // From here on, changes are pushed to the session (after this response on the socket).
    for (const w of watches.values()) w.members.add(session);
    return uids.map((uid): PeerState => watches.get(uid)!.state);
  }

  async unsubscribe(conn: Connection, args: UnsubscribeStatusArgs): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const uids = this.requireUids(args?.uids);
    enforceRate(session, 'status-unsubscribe', this.config.STATUS_SUBSCRIBE_RATE);
    for (const uid of uids) {
      if (!session.statusSubs?.delete(uid)) continue;
      this.watch.release(session, session.appId, uid);
    }
    return null;
  }

  async subscribed(conn: Connection, args: QuerySubscribedArgs): Promise<QuerySubscribedResult> {
    const session = this.sessions.requireSession(conn);
    if (args?.option !== 'ONLINE_STATUS') throw new ParleyError(ErrorCode.INVALID_ARGUMENT, "option: 'ONLINE_STATUS'");
    enforceRate(session, 'status-query-subscribed', this.config.STATUS_SUBSCRIBE_RATE);
    return [...(session.statusSubs ?? [])];
  }

  /** A session ended: its watches are released. */
  releaseAll(session: Session): void {
    const subs = session.statusSubs;
    if (!subs) return;
    session.statusSubs = null;
    for (const uid of subs) this.watch.release(session, session.appId, uid);
  }

  private requireUids(uids: unknown): string[] {
    const max = this.config.STATUS_SUBSCRIPTIONS_MAX;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > max || !uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${max} valid user ids`);
    }
    return uids as string[];
  }
}
