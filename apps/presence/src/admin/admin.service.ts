import { Inject, Injectable } from '@nestjs/common';
import { PeerState, requireAppId, requireUid, type AppId } from '@parley/contracts';
import type { PresenceStatsReply, StatsRequest, UserSessionsReply, UserSessionsRequest } from '@parley/contracts/internal';
import { CachedValues } from '@parley/platform/telemetry';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { effectiveState, type EffectiveState } from '../sessions/session-status';
import { AdminRepository } from './admin.repository';

/**
 * Counts are recomputed at most this often per app (and for all apps): however many consoles poll,
 * a replica scans the registry at most once a second for them.
 */
export const STATS_MAX_AGE_MS = 1_000;

const PEER_STATE: Record<EffectiveState, PeerState> = { ONLINE: PeerState.ONLINE, UNREACHABLE: PeerState.UNREACHABLE, OFFLINE: PeerState.OFFLINE };

/** What the admin API (the operator console) reads of the session registry: live counts and one uid's session. */
@Injectable()
export class AdminService {
  private readonly stats: CachedValues<PresenceStatsReply>;

  constructor(
    private readonly repository: AdminRepository,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {
    this.stats = new CachedValues((key) => this.count(key === '' ? null : (key as AppId)), STATS_MAX_AGE_MS);
  }

  private get windows() {
    return { gatewayTtlMs: this.config.GATEWAY_TTL_MS, reconnectWindowMs: this.config.RECONNECT_WINDOW_MS };
  }

  /** Subjects.presence.stats: sessions by effective state (all apps, or req.appId's) and live gateways. */
  async sessionStats(req: StatsRequest): Promise<PresenceStatsReply> {
    return this.stats.get(req?.appId === undefined || req.appId === null ? '' : requireAppId(req.appId));
  }

  /** Subjects.presence.userSessions: the uid's effective state and its registered session (none when OFFLINE). */
  async userSessions(req: UserSessionsRequest): Promise<UserSessionsReply> {
    const appId = requireAppId(req?.appId);
    const row = await this.repository.userSession(appId, requireUid(req.uid));
    const state = effectiveState(row ?? undefined, this.windows);
    if (!row || state === 'OFFLINE') return { state: PeerState.OFFLINE, sessions: [] };
    return { state: PEER_STATE[state], sessions: [{ gatewayId: row.gatewayId, loggedInAt: row.loggedInAt.getTime(), state: PEER_STATE[state] }] };
  }

  private async count(appId: AppId | null): Promise<PresenceStatsReply> {
    const [sessions, gateways] = await Promise.all([
      this.repository.countSessions(appId, this.windows),
      this.repository.countLiveGateways(this.config.GATEWAY_TTL_MS),
    ]);
    return { ...sessions, gateways };
  }
}
