import { Injectable } from '@nestjs/common';
import type { AppId, Uid } from '@parley/contracts';
import { Prisma, PrismaService } from '@parley/platform';
import type { StatusWindows } from '../sessions/session-status';
import type { SessionStatusRow } from '../sessions/sessions.repository';

/** A uid's registry row with what effectiveState() needs, its gateway process and its login time. */
export interface UserSessionRow extends SessionStatusRow {
  gatewayId: string;
  loggedInAt: Date;
}

/** The admin API's reads of the session registry (`sessions`, `gateways`). */
@Injectable()
export class AdminRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Sessions by effective state (the rules of effectiveState(), in SQL with the database clock), all
   * apps or one (the primary key's app_id prefix). Rows already OFFLINE but not swept yet are not counted.
   */
  async countSessions(appId: AppId | null, w: StatusWindows): Promise<{ online: number; unreachable: number }> {
    const ttl = `${w.gatewayTtlMs} milliseconds`;
    const window = `${w.reconnectWindowMs} milliseconds`;
    const where = appId === null ? Prisma.empty : Prisma.sql`WHERE s.app_id = ${appId}`;
    const [row] = await this.prisma.$queryRaw<{ online: number; unreachable: number }[]>`
      SELECT count(*) FILTER (WHERE g.heartbeat_at >= now() - ${ttl}::interval AND s.state = 0)::int AS online,
             count(*) FILTER (WHERE (g.heartbeat_at < now() - ${ttl}::interval AND g.heartbeat_at >= now() - ${window}::interval)
                                 OR (g.heartbeat_at >= now() - ${ttl}::interval AND s.state <> 0 AND s.state_since >= now() - ${window}::interval))::int AS unreachable
      FROM sessions s JOIN gateways g ON g.id = s.gateway_id
      ${where}`;
    return row ?? { online: 0, unreachable: 0 };
  }

  /** Gateway processes whose heartbeat is younger than the TTL (the heartbeat_at index). */
  async countLiveGateways(ttlMs: number): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM gateways WHERE heartbeat_at >= now() - ${`${ttlMs} milliseconds`}::interval`;
    return row?.n ?? 0;
  }

  /** The uid's registry row, null when it has none. */
  async userSession(appId: AppId, uid: Uid): Promise<UserSessionRow | null> {
    const rows = await this.prisma.$queryRaw<UserSessionRow[]>`
      SELECT s.uid, s.state, s.state_since AS "stateSince", g.heartbeat_at AS "heartbeatAt", now() AS now,
             s.gateway_id AS "gatewayId", s.logged_in_at AS "loggedInAt"
      FROM sessions s LEFT JOIN gateways g ON g.id = s.gateway_id
      WHERE s.app_id = ${appId} AND s.uid = ${uid}`;
    return rows[0] ?? null;
  }
}
