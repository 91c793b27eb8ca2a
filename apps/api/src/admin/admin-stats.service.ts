import { Inject, Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { GatewayStatsReply, StatsRequest } from '@parley/contracts/internal';
import { ServicesClient } from '../clients/services.client';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { notFound } from '../http/api-error';
import { AdminAppsRepository } from './admin-apps.repository';
import type { AdminStatsView, StatsQuery } from './admin-console.schemas';

const byIdThenStart = (a: GatewayStatsReply, b: GatewayStatsReply) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.startedAt - b.startedAt);

/**
 * Live counts over the cluster, all apps or one: sessions from the session registry (presence),
 * channels and memberships (channel service), and each gateway's own figures by scatter-gather
 * (every gateway answers Subjects.gatewayStats; the answers of ADMIN_STATS_WINDOW_MS are taken, or
 * fewer once as many came as the registry has live gateways). Message totals only grow while a
 * gateway runs: the console computes rates from two polls.
 */
@Injectable()
export class AdminStatsService {
  constructor(
    private readonly services: ServicesClient,
    private readonly apps: AdminAppsRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async stats(query: StatsQuery): Promise<AdminStatsView> {
    const appId = (query.appId ?? null) as AppId | null;
    if (appId !== null && !(await this.apps.find(appId))) throw notFound(`unknown app ${appId}`);
    const req: StatsRequest = appId === null ? {} : { appId };
    const presence = this.services.presenceStats(req);
    const channels = this.services.channelStats(req);
    const gateways = presence.then((p) => this.services.gatewayStats(req, this.config.ADMIN_STATS_WINDOW_MS, p.gateways));
    const [sessions, membership, answers] = await Promise.all([presence, channels, gateways]);
    const list = [...answers].sort(byIdThenStart);
    return {
      at: new Date().toISOString(),
      appId,
      sessions: { online: sessions.online, unreachable: sessions.unreachable },
      channels: membership.channels,
      members: membership.members,
      gateways: list.map((g) => ({
        id: g.id,
        startedAt: new Date(g.startedAt).toISOString(),
        sessions: g.sessions,
        connections: g.connections,
        messages: { peer: g.messages.peer, channel: g.messages.channel },
      })),
      gatewaysKnown: sessions.gateways,
      messages: {
        peer: list.reduce((n, g) => n + g.messages.peer, 0),
        channel: list.reduce((n, g) => n + g.messages.channel, 0),
      },
    };
  }
}
