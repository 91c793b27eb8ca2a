import { Injectable } from '@nestjs/common';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { countDownCtes, retryOnDeadlock, type RemovedMember } from '../members/members.repository';

export interface ChannelBanRow {
  uid: string;
  until: Date;
}

/**
 * Channel bans (channel_bans). A ban is checked where members join (MembersRepository.join, in the
 * same statement); rows past expires_at are ignored by every query here and there, and deleted by
 * deleteExpired.
 */
@Injectable()
export class ChannelBansRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One statement: bans the uid from the channel for `seconds` (replacing a previous ban) and
   * removes its membership as every removal does (count down, a `Leave` in the event record).
   */
  async ban(appId: AppId, ch: ChannelId, uid: Uid, seconds: number): Promise<{ removed: RemovedMember | null; until: Date }> {
    const [row] = await retryOnDeadlock(
      () => this.prisma.$queryRaw<{ until: Date; app_id: string | null; channel_id: string | null; uid: string | null; member_count: number }[]>`
        WITH ban AS (
          INSERT INTO channel_bans (app_id, channel_id, uid, expires_at, created_at)
          VALUES (${appId}, ${ch}, ${uid}, now() + ${seconds}::int * interval '1 second', now())
          ON CONFLICT (app_id, channel_id, uid) DO UPDATE SET expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
          RETURNING expires_at
        ), gone AS (
          DELETE FROM channel_members WHERE app_id = ${appId} AND channel_id = ${ch} AND uid = ${uid}
          RETURNING app_id, channel_id, uid
        ) ${countDownCtes()}
        SELECT b.expires_at AS until, g.app_id, g.channel_id, g.uid, COALESCE(c.member_count, 0) AS member_count
        FROM ban b LEFT JOIN gone g ON true LEFT JOIN counted c ON c.app_id = g.app_id AND c.channel_id = g.channel_id`,
    );
    const removed = row!.uid === null ? null : { appId, channelId: ch, uid, count: row!.member_count };
    return { removed, until: row!.until };
  }

  /** Lifts the uid's ban from the channel; true when an active one was lifted (an expired row goes too). */
  async lift(appId: AppId, ch: ChannelId, uid: Uid): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ active: boolean }[]>`
      DELETE FROM channel_bans WHERE app_id = ${appId} AND channel_id = ${ch} AND uid = ${uid} RETURNING expires_at > now() AS active`;
    return rows[0]?.active === true;
  }

  /** Up to `limit` active bans of the channel in uid order after `after` (the primary key's order). */
  async list(appId: AppId, ch: ChannelId, limit: number, after: string | null): Promise<ChannelBanRow[]> {
    const rows = await this.prisma.$queryRaw<{ uid: string; expires_at: Date }[]>`
      SELECT uid, expires_at FROM channel_bans
      WHERE app_id = ${appId} AND channel_id = ${ch} AND uid > ${after ?? ''} AND expires_at > now()
      ORDER BY uid LIMIT ${limit}::int`;
    return rows.map((r) => ({ uid: r.uid, until: r.expires_at }));
  }

  /** Deletes bans that ended, at most `limit` (the expires_at index); returns how many. */
  async deleteExpired(limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM channel_bans WHERE (app_id, channel_id, uid) IN (
        SELECT app_id, channel_id, uid FROM channel_bans WHERE expires_at <= now() ORDER BY expires_at LIMIT ${limit}::int
      )`;
  }
}
