import { Injectable } from '@nestjs/common';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { Prisma, PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';

export interface ChannelCount {
  appId: string;
  channelId: string;
  count: number;
  /** When this count was published (the database clock, Unix ms): the schedule tests check. */
  ts?: number;
}

interface RemovedRow {
  app_id: string;
  channel_id: string;
  uid: string;
  member_count: number;
}

/**
 * The CTEs that follow `gone` (deleted members) in every removal statement: count each channel down
 * by its removed members (`counted`: the counts after, read under the channel row's lock) and record
 * a `Leave` for each in the event record, in the same statement, with the count right after that
 * member left (`detail.count`; the last of a channel's removed members gets the final count, so a
 * channel that empties has exactly one Leave with count 0).
 */
export const countDownCtes = (traceParent: string | null = activeTraceparent()): Prisma.Sql => Prisma.sql`
  , per_channel AS (SELECT app_id, channel_id, count(*)::int AS n FROM gone GROUP BY app_id, channel_id)
  , counted AS (
    UPDATE channels c SET member_count = GREATEST(c.member_count - p.n, 0), count_changed_at = now(), count_dirty = true
    FROM per_channel p WHERE c.app_id = p.app_id AND c.channel_id = p.channel_id
    RETURNING c.app_id, c.channel_id, c.member_count
  )
  , left_events AS (
    INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts, detail, trace_parent)
    SELECT g.app_id, 'channel', 'Leave', g.uid, g.channel_id, clock_timestamp(),
           jsonb_build_object('count', COALESCE(c.member_count, 0) + p.n
             - row_number() OVER (PARTITION BY g.app_id, g.channel_id ORDER BY g.uid)), ${traceParent}
    FROM gone g
    JOIN per_channel p ON p.app_id = g.app_id AND p.channel_id = g.channel_id
    LEFT JOIN counted c ON c.app_id = g.app_id AND c.channel_id = g.channel_id
    ORDER BY g.app_id, g.channel_id, g.uid
  )`;

/** The tail of a removal statement: countDownCtes(), returning every removed member with the count after. */
const countDown = (): Prisma.Sql => Prisma.sql`${countDownCtes()}
  SELECT g.app_id, g.channel_id, g.uid, COALESCE(c.member_count, 0) AS member_count
  FROM gone g LEFT JOIN counted c ON c.app_id = g.app_id AND c.channel_id = g.channel_id`;

/** Runs a removal statement; a deadlock with a concurrent removal on the same channels is retried. */
export async function retryOnDeadlock<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await query();
    } catch (err) {
      if (attempt >= 2 || !String((err as Error).message).includes('40P01')) throw err;
    }
  }
}

export interface CountsDue {
  /** Counts to publish now (they are marked published). */
  due: ChannelCount[];
  /** In how many ms the next changed count comes due; null when no change waits. */
  nextDueMs: number | null;
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

  /**
   * Adds (or refreshes, on a rejoin) a member and bumps the count for a new one — one statement, so
   * the channel row is locked only for its duration (joins to one channel queue on that row). A new
   * member's `Join` goes to the event record in the same statement (a rejoin after a drop is none),
   * with the count after it (`detail.count`: 1 is the first member).
   * A uid banned from the channel (an unexpired channel_bans row) is not added: `bannedUntil` says
   * until when, and nothing else changes.
   */
  async join(appId: AppId, ch: ChannelId, uid: Uid, sessionId: string, gatewayId: string): Promise<{ joined: boolean; count: number; bannedUntil?: Date }> {
    const [row] = await this.prisma.$queryRaw<{ joined: boolean | null; count: number | null; banned_until: Date | null }[]>`
      WITH banned AS MATERIALIZED (
        SELECT expires_at FROM channel_bans
        WHERE app_id = ${appId} AND channel_id = ${ch} AND uid = ${uid} AND expires_at > now()
      ), member AS (
        INSERT INTO channel_members (app_id, channel_id, uid, session_id, gateway_id)
        SELECT ${appId}, ${ch}, ${uid}, ${sessionId}::uuid, ${gatewayId} WHERE NOT EXISTS (SELECT 1 FROM banned)
        ON CONFLICT (app_id, channel_id, uid) DO UPDATE SET session_id = EXCLUDED.session_id, gateway_id = EXCLUDED.gateway_id
        RETURNING (xmax = 0) AS inserted
      ), bumped AS (
        INSERT INTO channels (app_id, channel_id, member_count, count_changed_at)
        SELECT ${appId}, ${ch}, 1, now() FROM member WHERE member.inserted
        ON CONFLICT (app_id, channel_id) DO UPDATE SET member_count = channels.member_count + 1, count_changed_at = now(), count_dirty = true
        RETURNING member_count
      ), joined_event AS (
        INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts, detail, trace_parent)
        SELECT ${appId}, 'channel', 'Join', ${uid}, ${ch}, clock_timestamp(), jsonb_build_object('count', bumped.member_count), ${activeTraceparent()}
        FROM member, bumped WHERE member.inserted
      )
      SELECT (SELECT inserted FROM member) AS joined, (SELECT expires_at FROM banned) AS banned_until,
             COALESCE((SELECT member_count FROM bumped),
                      (SELECT member_count FROM channels WHERE app_id = ${appId} AND channel_id = ${ch})) AS count`;
    if (row!.banned_until) return { joined: false, count: row!.count ?? 0, bannedUntil: row!.banned_until };
    return { joined: row!.joined === true, count: row!.count ?? 1 };
  }

  async leave(appId: AppId, ch: ChannelId, uid: Uid): Promise<RemovedMember | null> {
    const removed = await this.remove(
      () => this.prisma.$queryRaw<RemovedRow[]>`
      WITH gone AS (
        DELETE FROM channel_members WHERE app_id = ${appId} AND channel_id = ${ch} AND uid = ${uid}
        RETURNING app_id, channel_id, uid
      ) ${countDown()}`,
    );
    return removed[0] ?? null;
  }

  /** The memberships a session holds (logout, remote login, reconnect window over); a newer session's stay. */
  async leaveSession(appId: AppId, uid: Uid, sessionId: string): Promise<RemovedMember[]> {
    return this.remove(
      () => this.prisma.$queryRaw<RemovedRow[]>`
      WITH gone AS (
        DELETE FROM channel_members WHERE app_id = ${appId} AND uid = ${uid} AND session_id = ${sessionId}::uuid
        RETURNING app_id, channel_id, uid
      ) ${countDown()}`,
    );
  }

  /** Memberships of users who have no session in the registry any more (they went offline). */
  async removeOffline(): Promise<RemovedMember[]> {
    return this.remove(
      () => this.prisma.$queryRaw<RemovedRow[]>`
      WITH gone AS (
        DELETE FROM channel_members m
        WHERE NOT EXISTS (SELECT 1 FROM session_registry s WHERE s.app_id = m.app_id AND s.uid = m.uid)
        RETURNING m.app_id, m.channel_id, m.uid
      ) ${countDown()}`,
    );
  }

  async members(appId: AppId, ch: ChannelId, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ uid: string }[]>`
      SELECT uid FROM channel_members WHERE app_id = ${appId} AND channel_id = ${ch}
      ORDER BY random() LIMIT ${limit}`;
    return rows.map((r) => r.uid);
  }

  /** Up to `limit` members in uid order after `after` (the primary key's order: an index range scan). */
  async membersPage(appId: AppId, ch: ChannelId, limit: number, after: string | null): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ uid: string }[]>`
      SELECT uid FROM channel_members WHERE app_id = ${appId} AND channel_id = ${ch} AND uid > ${after ?? ''}
      ORDER BY uid LIMIT ${limit}`;
    return rows.map((r) => r.uid);
  }

  /** The channels `uid` is a member of, in channel order (index on app_id, uid). */
  async channelsOf(appId: AppId, uid: Uid, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ channel_id: string }[]>`
      SELECT channel_id FROM channel_members WHERE app_id = ${appId} AND uid = ${uid} ORDER BY channel_id LIMIT ${limit}`;
    return rows.map((r) => r.channel_id);
  }

  async counts(appId: AppId, chs: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.channel.findMany({
      where: { appId, channelId: { in: [...chs] } },
      select: { channelId: true, memberCount: true },
    });
    return new Map(rows.map((r) => [r.channelId, r.memberCount]));
  }

  /** Channels with members and memberships, all apps: one scan of each table, for gauges refreshed every METRICS_REFRESH_MS. */
  async totals(): Promise<{ channels: number; members: number }> {
    const [row] = await this.prisma.$queryRaw<{ channels: number; members: number }[]>`
      SELECT (SELECT count(*) FROM channels WHERE member_count > 0)::int AS channels,
             (SELECT count(*) FROM channel_members)::int AS members`;
    return row ?? { channels: 0, members: 0 };
  }

  /**
   * Channels whose count changed since it was last published and whose interval has passed; marks
   * them published in the same statement (one leader runs this). A change is the `count_dirty` flag:
   * a change that commits after this statement (the row lock orders them) sets it again, whenever its
   * transaction began. Also answers when the next of the changed channels still inside their interval
   * comes due (`nextDueMs`, null: none waits), so the leader sleeps until then instead of polling.
   */
  async takeCountsDue(smallMs: number, largeMs: number, largeAbove: number): Promise<CountsDue> {
    const interval = Prisma.sql`(CASE WHEN member_count > ${largeAbove}::int THEN ${largeMs}::int ELSE ${smallMs}::int END) * interval '1 millisecond'`;
    // `waiting` reads the snapshot from before `due`'s update: the rows `due` takes are excluded by
    // the opposite interval condition, not by their new publish time.
    const rows = await this.prisma.$queryRaw<
      { app_id: string | null; channel_id: string | null; member_count: number | null; ts: number | null; next_ms: number | null }[]
    >`
      WITH due AS (
        UPDATE channels SET count_published_at = now(), count_dirty = false
        WHERE count_dirty AND count_published_at <= now() - ${interval}
        RETURNING app_id, channel_id, member_count, (extract(epoch from count_published_at) * 1000)::float8 AS ts
      ), waiting AS (
        SELECT (extract(epoch FROM min(count_published_at + ${interval}) - now()) * 1000)::float8 AS next_ms
        FROM channels WHERE count_dirty AND count_published_at > now() - ${interval}
      )
      SELECT d.app_id, d.channel_id, d.member_count, d.ts, w.next_ms FROM waiting w LEFT JOIN due d ON true`;
    const due = rows
      .filter((r) => r.app_id !== null)
      .map((r) => ({ appId: r.app_id!, channelId: r.channel_id!, count: r.member_count!, ts: Math.round(r.ts!) }));
    const next = rows[0]?.next_ms;
    return { due, nextDueMs: next === null || next === undefined ? null : Math.max(0, Math.ceil(next)) };
  }

  /** Wakes the channel leader, which LISTENs on `channel` (sent by a replica that is not the leader). */
  async notifyCountsChanged(channel: string): Promise<void> {
    await this.prisma.$executeRaw`SELECT pg_notify(${channel}, '')`;
  }

  /** Empty channels whose last count went out a while ago. */
  async deleteEmpty(): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM channels WHERE member_count <= 0 AND NOT count_dirty
        AND count_changed_at < now() - interval '1 minute'`;
  }

  /** Runs a removal (retried after a deadlock with a concurrent removal on the same channels). */
  private async remove(query: () => Promise<RemovedRow[]>): Promise<RemovedMember[]> {
    const rows = await retryOnDeadlock(query);
    return rows.map((r) => ({ appId: r.app_id, channelId: r.channel_id, uid: r.uid, count: r.member_count }));
  }
}
