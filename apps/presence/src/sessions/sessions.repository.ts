import { Injectable } from '@nestjs/common';
import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

export interface SessionStatusRow {
  uid: string;
  state: number;
  stateSince: Date;
  heartbeatAt: Date | null;
  now: Date;
}

export interface RegisteredSession {
  epoch: number;
  previousInstanceId: string | null;
}

/** The session registry in Postgres: one row per (app, uid), gateways' heartbeats beside it. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Upserts the session with a fresh epoch and refreshes its gateway, in one statement. */
  async register(appId: AppId, uid: Uid, sessionId: SessionId, instanceId: string, gatewayId: GatewayId): Promise<RegisteredSession> {
    const rows = await this.prisma.$queryRaw<{ epoch: bigint; previous_instance_id: string | null }[]>`
      WITH gw AS (
        INSERT INTO gateways (id, heartbeat_at) VALUES (${gatewayId}, now())
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
      ), prev AS (
        SELECT instance_id FROM sessions WHERE app_id = ${appId} AND uid = ${uid}
      )
      INSERT INTO sessions (app_id, uid, session_id, instance_id, gateway_id, epoch, state, state_since, logged_in_at)
      VALUES (${appId}, ${uid}, ${sessionId}::uuid, ${instanceId}, ${gatewayId}, nextval('sessions_epoch_seq'), 0, now(), now())
      ON CONFLICT (app_id, uid) DO UPDATE SET
        session_id = EXCLUDED.session_id, instance_id = EXCLUDED.instance_id, gateway_id = EXCLUDED.gateway_id,
        epoch = EXCLUDED.epoch, state = 0, state_since = now(), logged_in_at = now()
      RETURNING epoch, (SELECT instance_id FROM prev) AS previous_instance_id`;
    const row = rows[0]!;
    return { epoch: Number(row.epoch), previousInstanceId: row.previous_instance_id };
  }

  /** Removes the session only if it is still this one (a newer login may have replaced it). */
  async unregister(appId: AppId, uid: Uid, sessionId: SessionId): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      DELETE FROM sessions WHERE app_id = ${appId} AND uid = ${uid} AND session_id = ${sessionId}::uuid`;
    return n > 0;
  }

  async setState(appId: AppId, uid: Uid, sessionId: SessionId, state: number): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      UPDATE sessions SET state = ${state}, state_since = now()
      WHERE app_id = ${appId} AND uid = ${uid} AND session_id = ${sessionId}::uuid AND state <> ${state}`;
    return n > 0;
  }

  async statuses(appId: AppId, uids: readonly string[]): Promise<SessionStatusRow[]> {
    return this.prisma.$queryRaw<SessionStatusRow[]>`
      SELECT s.uid, s.state, s.state_since AS "stateSince", g.heartbeat_at AS "heartbeatAt", now() AS now
      FROM sessions s LEFT JOIN gateways g ON g.id = s.gateway_id
      WHERE s.app_id = ${appId} AND s.uid = ANY(${uids as string[]}::text[])`;
  }

  async gatewayHeartbeat(gatewayId: GatewayId): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO gateways (id, heartbeat_at) VALUES (${gatewayId}, now())
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
  }

  /**
   * Deletes sessions that are OFFLINE by the rules of effectiveState(): unreachable past the window,
   * or on a gateway silent for longer than the window. Safe to run on every replica (each row is
   * returned by exactly one DELETE).
   */
  async sweepOffline(windowMs: number): Promise<{ appId: string; uid: string }[]> {
    const window = `${windowMs} milliseconds`;
    const rows = await this.prisma.$queryRaw<{ app_id: string; uid: string }[]>`
      DELETE FROM sessions s
      WHERE (s.state = 1 AND s.state_since < now() - ${window}::interval)
         OR NOT EXISTS (SELECT 1 FROM gateways g WHERE g.id = s.gateway_id AND g.heartbeat_at >= now() - ${window}::interval)
      RETURNING s.app_id, s.uid`;
    await this.prisma.$executeRaw`
      DELETE FROM gateways g WHERE g.heartbeat_at < now() - interval '1 hour'
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.gateway_id = g.id)`;
    return rows.map((r) => ({ appId: r.app_id, uid: r.uid }));
  }
}
