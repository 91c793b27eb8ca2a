import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

/** A user event as the record holds it; `ts` Unix ms. */
export interface UserEventRow {
  uid: string;
  type: 'Login' | 'Logout';
  ts: number;
}

const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * Presence's part of the event record (kind 'user'; the rows are written by SessionsRepository in the
 * statements that register and remove sessions): consumers' takes and retention.
 */
@Injectable()
export class UserEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Takes the next events of the app for `consumer`, oldest first, and moves its cursor past them:
   * at most `max`, from the newest `queueMax` unread (older unread ones are passed over). One
   * transaction serialised on the cursor row, so concurrent takers (any replica) never return one
   * event twice. Only events of transactions older than every transaction still running are read
   * (pg_snapshot_xmin), in (xid, seq) order: an event that commits after newer ones were taken is
   * still ahead of the cursor, never skipped. A take's events are returned in `seq` order: the order
   * of the changes of one user or member (they take their `seq` while holding its row lock).
   */
  async take(appId: AppId, consumer: string, queueMax: number, max: number): Promise<UserEventRow[]> {
    return this.prisma.$transaction(async (tx) => {
      // Creates the cursor on the consumer's first take, and waits for the row lock: the next
      // statement (a new snapshot) sees the cursor and the events as the previous taker left them.
      const [cursor] = await tx.$queryRaw<{ last_xid: string; last_seq: bigint }[]>`
        INSERT INTO event_cursors (consumer, app_id, kind) VALUES (${consumer}, ${appId}, 'user')
        ON CONFLICT (consumer, app_id, kind) DO UPDATE SET updated_at = now()
        RETURNING last_xid::text AS last_xid, last_seq`;
      const rows = await tx.$queryRaw<{ uid: string; type: 'Login' | 'Logout'; ts: bigint }[]>`
        WITH unread AS (
          SELECT seq, xid, type, uid, ts FROM app_events
          WHERE app_id = ${appId} AND kind = 'user'
            AND (xid, seq) > (${cursor!.last_xid}::xid8, ${cursor!.last_seq}::bigint)
            AND xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY xid DESC, seq DESC LIMIT ${queueMax}::int
        ), taken AS (
          SELECT * FROM unread ORDER BY xid, seq LIMIT ${max}::int
        ), moved AS (
          UPDATE event_cursors c SET last_xid = l.xid, last_seq = l.seq
          FROM (SELECT xid, seq FROM taken ORDER BY xid DESC, seq DESC LIMIT 1) l
          WHERE c.consumer = ${consumer} AND c.app_id = ${appId} AND c.kind = 'user'
        )
        SELECT uid, type, (extract(epoch FROM ts) * 1000)::bigint AS ts FROM taken ORDER BY seq`;
      return rows.map((r) => ({ uid: r.uid, type: r.type, ts: Number(r.ts) }));
    }, TX_OPTIONS);
  }
}
