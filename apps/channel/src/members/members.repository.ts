import { Injectable } from '@nestjs/common';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

export interface ChannelCount {
  appId: string;
  channelId: string;
  count: number;
}

export interface RemovedMember {
  appId: string;
  channelId: string;
  uid: string;
  /** The channel's count after the removal. */
  count: number;
}

/** Channel membership and member counts in Postgres. */
@Injectable()
export class MembersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Adds (or refreshes, on a rejoin) a member; returns whether it is new and the count after. */
  async join(appId: AppId, ch: ChannelId, uid: Uid, sessionId: string, gatewayId: string): Promise<{ joined: boolean; count: number }> {
    return this.prisma.$transaction(async (tx) => {
      const [member] = await tx.$queryRaw<{ inserted: boolean }[]>`
        INSERT INTO channel_members (app_id, channel_id, uid, session_id, gateway_id)
        VALUES (${appId}, ${ch}, ${uid}, ${sessionId}::uuid, ${gatewayId})
        ON CONFLICT (app_id, channel_id, uid) DO UPDATE SET session_id = EXCLUDED.session_id, gateway_id = EXCLUDED.gateway_id
        RETURNING (xmax = 0) AS inserted`;
      const joined = member!.inserted;
      const [channel] = joined
        ? await tx.$queryRaw<{ member_count: number }[]>`
            INSERT INTO channels (app_id, channel_id, member_count, count_changed_at) VALUES (${appId}, ${ch}, 1, now())
            ON CONFLICT (app_id, channel_id) DO UPDATE SET member_count = channels.member_count + 1, count_changed_at = now()
            RETURNING member_count`
        : await tx.$queryRaw<{ member_count: number }[]>`
            SELECT member_count FROM channels WHERE app_id = ${appId} AND channel_id = ${ch}`;
      return { joined, count: channel?.member_count ?? 1 };
    });
  }

  async leave(appId: AppId, ch: ChannelId, uid: Uid): Promise<RemovedMember | null> {
    const removed = await this.removeWhere(appId, [ch], uid);
    return removed[0] ?? null;
  }

  /** The memberships a session holds (logout, remote login, reconnect window over); a newer session's stay. */
  async leaveSession(appId: AppId, uid: Uid, sessionId: string): Promise<RemovedMember[]> {
    return this.removeWhere(appId, null, uid, sessionId);
  }

  /** Memberships of users who have no session in the registry any more (they went offline). */
  async removeOffline(): Promise<RemovedMember[]> {
    return this.prisma.$transaction(async (tx) => {
      const gone = await tx.$queryRaw<{ app_id: string; channel_id: string; uid: string }[]>`
        DELETE FROM channel_members m
        WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.app_id = m.app_id AND s.uid = m.uid)
        RETURNING m.app_id, m.channel_id, m.uid`;
      return this.decrement(tx, gone);
    });
  }

  async members(appId: AppId, ch: ChannelId, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ uid: string }[]>`
      SELECT uid FROM channel_members WHERE app_id = ${appId} AND channel_id = ${ch}
      ORDER BY random() LIMIT ${limit}`;
    return rows.map((r) => r.uid);
  }

  async counts(appId: AppId, chs: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.channel.findMany({
      where: { appId, channelId: { in: [...chs] } },
      select: { channelId: true, memberCount: true },
    });
    return new Map(rows.map((r) => [r.channelId, r.memberCount]));
  }

  /**
   * Channels whose count changed since it was last published and whose interval has passed; marks
   * them published in the same statement (one leader runs this).
   */
  async takeCountsDue(smallMs: number, largeMs: number, largeAbove: number): Promise<ChannelCount[]> {
    const rows = await this.prisma.$queryRaw<{ app_id: string; channel_id: string; member_count: number }[]>`
      UPDATE channels SET count_published_at = now()
      WHERE count_changed_at > count_published_at
        AND count_published_at <= now() - (CASE WHEN member_count > ${largeAbove} THEN ${largeMs} ELSE ${smallMs} END) * interval '1 millisecond'
      RETURNING app_id, channel_id, member_count`;
    return rows.map((r) => ({ appId: r.app_id, channelId: r.channel_id, count: r.member_count }));
  }

  /** Empty channels whose last count went out a while ago. */
  async deleteEmpty(): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM channels WHERE member_count <= 0 AND count_published_at >= count_changed_at
        AND count_changed_at < now() - interval '1 minute'`;
  }

  private async removeWhere(appId: AppId, chs: string[] | null, uid: Uid, sessionId?: string): Promise<RemovedMember[]> {
    return this.prisma.$transaction(async (tx) => {
      const gone = chs
        ? await tx.$queryRaw<{ app_id: string; channel_id: string; uid: string }[]>`
            DELETE FROM channel_members WHERE app_id = ${appId} AND uid = ${uid} AND channel_id = ANY(${chs}::text[])
            RETURNING app_id, channel_id, uid`
        : await tx.$queryRaw<{ app_id: string; channel_id: string; uid: string }[]>`
            DELETE FROM channel_members WHERE app_id = ${appId} AND uid = ${uid} AND session_id = ${sessionId}::uuid
            RETURNING app_id, channel_id, uid`;
      return this.decrement(tx, gone);
    });
  }

  private async decrement(
    tx: Parameters<Parameters<PrismaService['$transaction']>[0]>[0],
    gone: { app_id: string; channel_id: string; uid: string }[],
  ): Promise<RemovedMember[]> {
    const out: RemovedMember[] = [];
    for (const g of gone) {
      const [row] = await tx.$queryRaw<{ member_count: number }[]>`
        UPDATE channels SET member_count = GREATEST(member_count - 1, 0), count_changed_at = now()
        WHERE app_id = ${g.app_id} AND channel_id = ${g.channel_id} RETURNING member_count`;
      out.push({ appId: g.app_id, channelId: g.channel_id, uid: g.uid, count: row?.member_count ?? 0 });
    }
    return out;
  }
}
