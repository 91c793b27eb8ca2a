import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';
import { outboxRows, type EndpointTarget, type RecordedEvent } from './webhook-body';

const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
/** The one cursor row (every app and kind). */
const CURSOR = 'events';
/** An endpoint created this recently may not be visible yet: skipping ahead never passes its events. */
const SKIP_GRACE = '10 seconds';

/** What one fan-out transaction did. */
export interface FanoutResult {
  /** Another replica holds the cursor. */
  busy: boolean;
  events: number;
  rows: number;
}

/**
 * The webhooks app's reading of the event record (read-only: app_events belongs to presence and the
 * channel service) and its writes of the outbox and of its own cursor.
 */
@Injectable()
export class FanoutRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ensureCursor(): Promise<void> {
    await this.prisma.$executeRaw`INSERT INTO webhook_cursors (name) VALUES (${CURSOR}) ON CONFLICT (name) DO NOTHING`;
  }

  /** Whether any endpoint is enabled (one probe). */
  async anyEnabledEndpoint(): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM webhook_endpoints WHERE enabled LIMIT 1`;
    return rows.length > 0;
  }

  /**
   * Fans out the next `max` events after the cursor and moves it past them, in one transaction: the
   * outbox rows and the cursor commit together, so a crash neither loses nor repeats a fan-out.
   * Replicas skip a cursor another holds (SKIP LOCKED). Only events of transactions older than every
   * running one are read, in (xid, seq) order (docs/architecture.md, "Event record").
   */
  async fanOut(max: number, notifyMs: number): Promise<FanoutResult> {
    return this.prisma.$transaction(async (tx) => {
      const [cursor] = await tx.$queryRaw<{ last_xid: string; last_seq: bigint }[]>`
        SELECT last_xid::text AS last_xid, last_seq FROM webhook_cursors WHERE name = ${CURSOR} FOR UPDATE SKIP LOCKED`;
      if (!cursor) return { busy: true, events: 0, rows: 0 };
      const taken = await tx.$queryRaw<
        { seq: bigint; xid_text: string; app_id: string; kind: 'user' | 'channel'; type: string; uid: string; channel_id: string | null; ts: bigint }[]
      >`
        SELECT seq, xid::text AS xid_text, app_id, kind, type, uid, channel_id, (extract(epoch FROM ts) * 1000)::bigint AS ts
        FROM app_events
        WHERE (xid, seq) > (${cursor.last_xid}::xid8, ${cursor.last_seq}::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY app_events.xid, seq LIMIT ${max}::int`;
      if (!taken.length) return { busy: false, events: 0, rows: 0 };
      const last = taken[taken.length - 1]!;
      // One user's or channel's events take their seq under its row lock: seq is the order of its changes.
      const events: RecordedEvent[] = taken
        .map((r) => ({ seq: r.seq.toString(), appId: r.app_id, kind: r.kind, type: r.type, uid: r.uid, channelId: r.channel_id, ts: Number(r.ts) }))
        .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const appIds = [...new Set(events.map((e) => e.appId))];
      const endpoints = await tx.$queryRaw<{ id: string; app_id: string; event_types: string[] | null; created_ms: bigint }[]>`
        SELECT id::text AS id, app_id, event_types, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
        FROM webhook_endpoints WHERE enabled AND app_id = ANY(${appIds}::text[])`;
      const targets: EndpointTarget[] = endpoints.map((e) => ({
        id: e.id,
        appId: e.app_id,
        eventTypes: e.event_types ?? [],
        createdAtMs: Number(e.created_ms),
      }));
      const rows = outboxRows(events, targets, notifyMs, randomUUID);
      if (rows.length) {
        // Ids follow the array order: a key's rows are inserted in the order of its events.
        await tx.$executeRaw`
          INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body)
          SELECT n, e, a, t, k, b FROM unnest(
            ${rows.map((r) => r.noticeId)}::uuid[], ${rows.map((r) => r.endpointId)}::uuid[], ${rows.map((r) => r.appId)}::text[],
            ${rows.map((r) => r.eventType)}::text[], ${rows.map((r) => r.orderingKey)}::text[], ${rows.map((r) => r.body)}::text[]
          ) WITH ORDINALITY AS u(n, e, a, t, k, b, i) ORDER BY i`;
      }
      await tx.$executeRaw`
        UPDATE webhook_cursors SET last_xid = ${last.xid_text}::xid8, last_seq = ${last.seq}::bigint, updated_at = now() WHERE name = ${CURSOR}`;
      return { busy: false, events: events.length, rows: rows.length };
    }, TX_OPTIONS);
  }

  /**
   * With no endpoint enabled nothing is to be sent: moves the cursor past the events older than a
   * short grace (an endpoint being created right now still gets its events), so a new endpoint does
   * not make the fan-out read a day of record first. One backward probe of the (xid, seq) index.
   */
  async skipAhead(): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE webhook_cursors c SET last_xid = l.xid, last_seq = l.seq, updated_at = now()
      FROM (
        SELECT xid, seq FROM app_events
        WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND ts < now() - ${SKIP_GRACE}::interval
        ORDER BY xid DESC, seq DESC LIMIT 1
      ) l
      WHERE c.name = ${CURSOR} AND (l.xid, l.seq) > (c.last_xid, c.last_seq)`;
  }
}
