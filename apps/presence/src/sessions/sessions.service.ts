import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  createCodec,
  ErrorCode,
  isAppId,
  isUid,
  requireAppId,
  requireUid,
  ParleyError,
  Subjects,
  UserMsgKind,
  type AppId,
  type GatewayHeartbeat,
  type GatewayId,
  type KickMessage,
  type QueryOnlineReply,
  type QueryOnlineRequest,
  type RegisterSessionReply,
  type RegisterSessionRequest,
  type SessionId,
  type SetSessionStateRequest,
  type Uid,
  type UnregisterSessionRequest,
} from '@parley/contracts';
import { InjectNats, ServiceClient } from '@parley/platform';
import { traceHeaders } from '@parley/platform/telemetry';
import type { NatsConnection } from 'nats';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { effectiveState } from './session-status';
import { SessionsRepository } from './sessions.repository';

const codec = createCodec();
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
    @InjectNats() private readonly nc: NatsConnection,
    private readonly services: ServiceClient,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {}

  /** Registers a login and tells every older session of the uid (on any gateway) to end. */
  async register(req: RegisterSessionRequest): Promise<RegisterSessionReply> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    const { epoch, previousInstanceId } = await this.repository.register(
      appId,
      uid,
      req.sessionId as SessionId,
      req.instanceId,
      req.gatewayId as GatewayId,
    );
    // Always published, also when nothing was replaced: two logins racing on two gateways are
    // settled by the epoch, whichever KICK arrives first.
    const kick: KickMessage = { epoch, sessionId: req.sessionId, instanceId: req.instanceId };
    this.nc.publish(Subjects.user(appId, uid), codec.encode([UserMsgKind.KICK, kick]), { headers: traceHeaders() });
    const replaced = previousInstanceId === null ? 'none' : previousInstanceId === req.instanceId ? 'same-instance' : 'remote';
    return { epoch, replaced };
  }

  async unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    return { removed: await this.repository.unregister(appId, uid, req.sessionId as SessionId) };
  }

  async setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    const { appId, uid } = requireIds(req.appId, req.uid);
    return { changed: await this.repository.setState(appId, uid, req.sessionId as SessionId, req.state) };
  }

  async query(req: QueryOnlineRequest): Promise<QueryOnlineReply> {
    if (!isAppId(req.appId)) throw new ParleyError(ErrorCode.INVALID_APP_ID, 'invalid app id');
    if (!Array.isArray(req.uids) || req.uids.length === 0 || req.uids.length > MAX_QUERY_UIDS || !req.uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${MAX_QUERY_UIDS} valid user ids`);
    }
    const rows = new Map((await this.repository.statuses(req.appId, req.uids)).map((r) => [r.uid, r]));
    const windows = { gatewayTtlMs: this.config.GATEWAY_TTL_MS, reconnectWindowMs: this.config.RECONNECT_WINDOW_MS };
    // UNREACHABLE is still logged in: agora-rtm 1.x reports it as online in queries.
    return { online: req.uids.map((uid) => effectiveState(rows.get(uid), windows) !== 'OFFLINE') };
  }

  async gatewayHeartbeat(hb: GatewayHeartbeat): Promise<void> {
    await this.repository.gatewayHeartbeat(hb.gatewayId as GatewayId);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.config.SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async sweep(): Promise<number> {
    try {
      const gone = await this.repository.sweepOffline(this.config.RECONNECT_WINDOW_MS);
      if (gone.length) {
        this.logger.log({ msg: 'sessions went offline', count: gone.length });
        this.services.emit(Subjects.presence.wentOffline, { sessions: gone });
      }
      return gone.length;
    } catch (err) {
      this.logger.warn(`sweep failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
