import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, isUid, ParleyError, type QueryOnlineArgs, type QueryOnlineResult } from '@parley/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { PresenceClient } from '../clients/presence.client';
import { enforceRate } from '../transport/rate';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';

@Injectable()
export class OnlineStatusService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly presence: PresenceClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** queryPeersOnlineStatus: booleans in the order asked (UNREACHABLE counts as online). */
  async query(conn: Connection, args: QueryOnlineArgs): Promise<QueryOnlineResult> {
    const session = this.sessions.requireSession(conn);
    const uids = args?.uids;
    const max = this.config.QUERY_ONLINE_MAX_UIDS;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > max || !uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${max} valid user ids`);
    }
    enforceRate(session, 'query-online', this.config.QUERY_ONLINE_RATE);
    const { online } = await this.presence.query({ appId: session.appId, uids });
    return online;
  }
}
