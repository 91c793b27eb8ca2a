import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode, isUid, requireAppId, requireUid, ParleyError, PeerState, type AppId, type GatewayId, type SessionId, type Uid } from '@parley/contracts';
import {
  SessionState,
  Subjects,
  UserMsgKind,
  type GatewayHeartbeat,
  type KickMessage,
  type QueryOnlineReply,
  type QueryOnlineRequest,
  type RegisterSessionReply,
  type RegisterSessionRequest,
  type SetSessionStateRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts/internal';
import { NatsBus, ServiceClient } from '@parley/platform';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { StatusPublisher } from '../status/status-publisher';
import { effectiveState, type EffectiveState } from './session-status';
import { SessionsRepository, type SessionStatusRow } from './sessions.repository';

const PEER_STATE: Record<EffectiveState, PeerState> = {
  ONLINE: PeerState.ONLINE,
  UNREACHABLE: PeerState.UNREACHABLE,
  OFFLINE: PeerState.OFFLINE,
};
const MAX_QUERY_UIDS = 512;

function requireIds(appId: unknown, uid: unknown): { appId: AppId; uid: Uid } {
  return { appId: requireAppId(appId), uid: requireUid(uid) };
}

@Injectable()
export class SessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionsService.name);
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly repository: SessionsRepository,
    private readonly bus: NatsBus,
    private readonly services: ServiceClient,
    private readonly status: StatusPublisher,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {}

  private get windows() {
    return { gatewayTtlMs: this.config.GATEWAY_TTL_MS, reconnectWindowMs: this.config.RECONNECT_WINDOW_MS };
  }

  /** Registers a login and tells every older session of the uid (on any gateway) to end. */
  async register(req: RegisterSessionRequest): Promise<RegisterSessionReply> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    const { epoch, previousInstanceId } = await this.repository.register(appId, uid, req.sessionId as SessionId, req.instanceId, req.gatewayId as GatewayId);
    // Always published, also when nothing was replaced: two logins racing on two gateways are
    // settled by the epoch, whichever KICK arrives first.
    const kick: KickMessage = { epoch, sessionId: req.sessionId, instanceId: req.instanceId };
    this.bus.publish(Subjects.user(appId, uid), [UserMsgKind.KICK, kick], { trace: true });
    this.status.online([{ appId, uid, seq: epoch }]);
    const replaced = previousInstanceId === null ? 'none' : previousInstanceId === req.instanceId ? 'same-instance' : 'remote';
    return { epoch, replaced };
  }

  async unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    const gone = await this.repository.unregister(appId, uid, req.sessionId as SessionId);
    if (gone) this.status.offline([gone]);
    return { removed: gone !== null };
  }

  async setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    if (req.state !== SessionState.ONLINE && req.state !== SessionState.UNREACHABLE) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'state: 0 or 1');
    }
    const change = await this.repository.setState(appId, uid, req.sessionId as SessionId, req.state);
    if (change) this.status.publish([change], req.state === SessionState.ONLINE ? PeerState.ONLINE : PeerState.UNREACHABLE);
    return { changed: change !== null };
  }

  /** Current state and seq of each uid (what a gateway starts from when a session subscribes). */
  async statuses(req: StatusSnapshotRequest): Promise<StatusSnapshotReply> {
    const rows = await this.rows(req);
    const states: PeerState[] = [];
    const seqs: number[] = [];
    for (const uid of req.uids) {
      const row = rows.get(uid);
      states.push(PEER_STATE[effectiveState(row, this.windows)]);
      seqs.push(row ? Number(row.statusSeq ?? 0) : 0);
    }
    return { states, seqs };
  }

  async query(req: QueryOnlineRequest): Promise<QueryOnlineReply> {
    const rows = await this.rows(req);
    // UNREACHABLE is still logged in: agora-rtm 1.x reports it as online in queries.
    return { online: req.uids.map((uid) => effectiveState(rows.get(uid), this.windows) !== 'OFFLINE') };
  }

  /** The registry rows of the asked uids (1–512 valid ids of one app), by uid. */
  private async rows(req: { appId: unknown; uids: unknown }): Promise<Map<string, SessionStatusRow>> {
    const appId = requireAppId(req.appId);
    const uids = req.uids;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > MAX_QUERY_UIDS || !uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${MAX_QUERY_UIDS} valid user ids`);
    }
    return new Map((await this.repository.statuses(appId, uids)).map((r) => [r.uid, r]));
  }

  async gatewayHeartbeat(hb: GatewayHeartbeat): Promise<void> {
    this.status.online(await this.repository.gatewayHeartbeat(hb.gatewayId as GatewayId));
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.config.SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Every SWEEP_INTERVAL_MS on each replica (each change is made, and published, by exactly one):
   * sessions of gateways silent past the TTL turn UNREACHABLE; sessions past the reconnect window
   * (or on a gateway silent that long) are removed as OFFLINE.
   */
  async sweep(): Promise<number> {
    try {
      this.status.unreachable(await this.repository.suspectSilentGateways(this.config.GATEWAY_TTL_MS));
      const gone = await this.repository.sweepOffline(this.config.RECONNECT_WINDOW_MS);
      if (gone.length) {
        this.logger.log({ msg: 'sessions went offline', count: gone.length });
        this.status.offline(gone);
        this.services.emit(Subjects.presence.wentOffline, { sessions: gone });
      }
      return gone.length;
    } catch (err) {
      this.logger.warn(`sweep failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
