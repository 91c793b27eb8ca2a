import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SessionsService } from '../sessions/sessions.service';
import { WsServer } from './ws.server';
import { connectionsGauge, sessionsGauge } from '../metrics/gateway.metrics';

const ONLINE = { state: 'online' };
const UNREACHABLE = { state: 'unreachable' };

/** The gateway's gauges, read from its live state at each scrape (one pass over its sessions). */
@Injectable()
export class GatewayGauges implements OnApplicationShutdown {
  private readonly removals: Array<() => void>;

  constructor(sessions: SessionsService, ws: WsServer) {
    this.removals = [
      connectionsGauge.observe((report) => report(ws.connectionCount)),
      sessionsGauge.observe((report) => {
        let unreachable = 0;
        for (const s of sessions.sessions) if (!s.conn) unreachable++;
        report(sessions.sessions.size - unreachable, ONLINE);
        report(unreachable, UNREACHABLE);
      }),
    ];
  }

  onApplicationShutdown(): void {
    for (const remove of this.removals) remove();
  }
}
