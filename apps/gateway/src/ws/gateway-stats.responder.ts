import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { requireAppId } from '@parley/contracts';
import { Subjects, type GatewayStatsReply, type GatewayStatsRequest } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { Subscription } from 'nats';
import { PresenceClient } from '../clients/presence.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { messageTotals } from '../metrics/message-totals';
import { SessionsService } from '../sessions/sessions.service';
import { WsServer } from './ws.server';

/**
 * Answers the admin API's scatter-gather of live counts (Subjects.gatewayStats, no queue group:
 * every gateway answers): this process's sessions, connections and message totals, all apps or one.
 * Read from live state like the gauges, off the message path (one pass over the sessions per ask).
 */
@Injectable()
export class GatewayStatsResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly startedAt = Date.now();
  private subscription?: Subscription;

  constructor(
    private readonly bus: NatsBus,
    private readonly sessions: SessionsService,
    private readonly ws: WsServer,
    private readonly presence: PresenceClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.bus.serve(Subjects.gatewayStats, (req) => this.stats(req as GatewayStatsRequest | undefined));
  }

  onApplicationShutdown(): void {
    this.bus.unsubscribe(this.subscription);
  }

  stats(req: GatewayStatsRequest | undefined): GatewayStatsReply {
    const appId = req?.appId === undefined || req.appId === null ? undefined : requireAppId(req.appId);
    let sessions = 0;
    let connected = 0;
    if (appId === undefined) sessions = this.sessions.sessions.size;
    else {
      for (const s of this.sessions.sessions) {
        if (s.appId !== appId) continue;
        sessions++;
        if (s.conn) connected++;
      }
    }
    return {
      id: this.config.GATEWAY_ID,
      instance: this.presence.registryId,
      startedAt: this.startedAt,
      sessions,
      connections: appId === undefined ? this.ws.connectionCount : connected,
      messages: messageTotals.of(appId),
    };
  }
}
