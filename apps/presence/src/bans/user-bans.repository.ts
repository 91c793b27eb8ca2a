import { Injectable } from '@nestjs/common';
import type { AppId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';
import { logoutDetail } from '../user-events/logout-detail';

const KICKED = logoutDetail('kicked');

export interface KickResult {
  /** The removed session's OFFLINE change (null: the uid had no session). */
  gone: { appId: string; uid: string; seq: number } | null;
  /** Sessions registered with a lower epoch end (UserMsgKind.BANNED). */
  epoch: number;
  /** When the uid's login ban ends (this kick's, or one it already had); null: none. */
  until: Date | null;
}

/**
 * User bans (user_bans) and kicks. A ban is checked where logins are registered
 * (SessionsRepository.registerMany, in the same statement); rows past expires_at are ignored by
 * every query here and there, and deleted by deleteExpired.
 */
@Injectable()
export class UserBansRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One statement: bans the uid for `banSeconds` (> 0; replacing a previous ban), removes its session
   * from the registry (OFFLINE at once, with its `Logout` in the event record) and takes the epoch
   * every older session of the uid ends below — the removed row's status seq, taken after its lock, so
   * above its epoch.
   */
  async kick(appId: AppId, uid: Uid, banSeconds: number, reason: string | null): Promise<KickResult> {
    const [row] = await this.prisma.$queryRaw<{ seq: bigint | null; epoch: bigint; until: Date | null }[]>`
      WITH ban AS (
        INSERT INTO user_bans (app_id, uid, expires_at, reason, created_at)
        SELECT ${appId}, ${uid}, now() + ${banSeconds}::int * interval '1 second', ${reason}, now() WHERE ${banSeconds}::int > 0
        ON CONFLICT (app_id, uid) DO UPDATE SET expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason, created_at = EXCLUDED.created_at
        RETURNING expires_at
      ), gone AS (
        DELETE FROM sessions WHERE app_id = ${appId} AND uid = ${uid}
        RETURNING app_id, uid, nextval('sessions_epoch_seq') AS seq
      ), events AS (
        INSERT INTO app_events (app_id, kind, type, uid, ts, detail, trace_parent)
        SELECT app_id, 'user', 'Logout', uid, clock_timestamp(), ${KICKED}::jsonb, ${activeTraceparent()} FROM gone
      )
      SELECT (SELECT seq FROM gone) AS seq,
             COALESCE((SELECT seq FROM gone), nextval('sessions_epoch_seq')) AS epoch,
             COALESCE((SELECT expires_at FROM ban),
                      (SELECT expires_at FROM user_bans WHERE app_id = ${appId} AND uid = ${uid} AND expires_at > now())) AS until`;
    const seq = row!.seq;
    return { gone: seq === null ? null : { appId, uid, seq: Number(seq) }, epoch: Number(row!.epoch), until: row!.until };
  }

  /** When the uid's ban ends; null when it has none (an expired row is none). */
  async activeUntil(appId: AppId, uid: Uid): Promise<Date | null> {
    const rows = await this.prisma.$queryRaw<{ expires_at: Date }[]>`
      SELECT expires_at FROM user_bans WHERE app_id = ${appId} AND uid = ${uid} AND expires_at > now()`;
    return rows[0]?.expires_at ?? null;
  }

  /** Lifts the uid's ban; true when an active one was lifted (an expired row goes too, silently). */
  async lift(appId: AppId, uid: Uid): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ active: boolean }[]>`
      DELETE FROM user_bans WHERE app_id = ${appId} AND uid = ${uid} RETURNING expires_at > now() AS active`;
    return rows[0]?.active === true;
  }

  /** Deletes bans that ended, at most `limit` (the expires_at index); returns how many. */
  async deleteExpired(limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM user_bans WHERE (app_id, uid) IN (
        SELECT app_id, uid FROM user_bans WHERE expires_at <= now() ORDER BY expires_at LIMIT ${limit}::int
      )`;
  }
}
