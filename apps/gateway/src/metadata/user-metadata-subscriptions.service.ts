import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, isUid, ParleyError, type MetadataData, type UserMetadataSubscribeArgs } from '@parley/contracts';
import { MetadataClient } from '../clients/metadata.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';
import { UserMetadataWatch } from './user-metadata-watch';

/**
 * subscribeUserMetadata / unsubscribeUserMetadata. A subscribe answers each user's current set and
 * from then on the session gets every newer one (USER_METADATA), in revision order. Subscriptions
 * live as long as the session: the SDK subscribes again after it resumes, on any gateway.
 */
@Injectable()
export class UserMetadataSubscriptionsService {
  /** Uids each session subscribed to (kept out of Session: only this feature needs it). */
  private readonly subscribed = new WeakMap<Session, Set<string>>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly metadata: MetadataClient,
    private readonly watch: UserMetadataWatch,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async subscribe(conn: Connection, args: UserMetadataSubscribeArgs): Promise<MetadataData[]> {
    const session = this.sessions.requireSession(conn);
    const uids = this.requireUids(args?.uids);
    enforceRate(session, 'metadata-subscribe', this.config.METADATA_SUBSCRIBE_RATE);
    const subs = this.subsOf(session);
    const added = [...new Set(uids)].filter((uid) => !subs.has(uid));
    const max = this.config.USER_METADATA_SUBSCRIPTIONS_MAX;
    if (subs.size + added.length > max) throw new ParleyError(ErrorCode.OVERFLOW, `at most ${max} users' metadata subscribed`);
    const { appId } = session;
    const watches = new Map(uids.map((uid) => [uid, this.watch.ensure(appId, uid)]));
    for (const w of watches.values()) w.holds++;
    for (const uid of added) subs.add(uid);
    let failure: unknown = null;
    try {
      // Subscribed on the server first, then the snapshots: no change can fall between the two.
      await this.watch.flush();
      const snapshots = await Promise.all([...watches.keys()].map((uid) => this.metadata.getUser({ appId, uid })));
      [...watches.values()].forEach((w, i) => this.watch.applySnapshot(w, snapshots[i]!));
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
    // From here on, newer sets are pushed to the session (after this answer on the socket).
    for (const w of watches.values()) w.members.add(session);
    return uids.map((uid) => watches.get(uid)!.latest!);
  }

  async unsubscribe(conn: Connection, args: UserMetadataSubscribeArgs): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const uids = this.requireUids(args?.uids);
    enforceRate(session, 'metadata-subscribe', this.config.METADATA_SUBSCRIBE_RATE);
    const subs = this.subscribed.get(session);
    for (const uid of uids) if (subs?.delete(uid)) this.watch.release(session, session.appId, uid);
    return null;
  }

  /** A session ended: its watches are released. */
  releaseAll(session: Session): void {
    const subs = this.subscribed.get(session);
    if (!subs) return;
    this.subscribed.delete(session);
    for (const uid of subs) this.watch.release(session, session.appId, uid);
  }

  private requireUids(uids: unknown): string[] {
    const max = this.config.USER_METADATA_SUBSCRIPTIONS_MAX;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > max || !uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${max} valid user ids`);
    }
    return uids as string[];
  }

  private subsOf(session: Session): Set<string> {
    let subs = this.subscribed.get(session);
    if (!subs) this.subscribed.set(session, (subs = new Set()));
    return subs;
  }
}
