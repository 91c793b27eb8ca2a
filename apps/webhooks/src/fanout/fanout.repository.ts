import { createHash, randomUUID } from 'node:crypto';
import { OPT_IN_WEBHOOK_EVENTS, Subjects } from '@parley/contracts/internal';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@parley/platform';
import { sendWake } from '../dispatch/outbox-signal';
import type { StreamBatch } from '../messages/messages-stream';
import { noticesOf, outboxRows, type EndpointTarget, type Notice, type OutboxRow, type RecordedEvent } from './webhook-body';

const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
/** The one cursor row (every app and kind). */
const CURSOR = 'events';
/** The messages stream's cursor row: one per stream (deployments sharing a database keep their own). */
export const messagesCursor = (): string => `m:${createHash('sha1').update(Subjects.capturedMessagesStream).digest('hex').slice(0, 14)}`;
/** An endpoint created this recently may not be visible yet: skipping ahead never passes its events. */
const SKIP_GRACE = '10 seconds';

type Tx = Prisma.TransactionClient;

/** The enabled endpoints of the notices' apps. */
async function endpointsOf(tx: Tx, notices: readonly Notice[]): Promise<EndpointTarget[]> {
  if (!notices.length) return [];
  const appIds = [...new Set(notices.map((n) => n.appId))];
  const endpoints = await tx.$queryRaw<{ id: string; app_id: string; event_types: string[] | null; include_payload: boolean; created_ms: bigint }[]>`
    SELECT id::text AS id, app_id, event_types, include_payload, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
    FROM webhook_endpoints WHERE enabled AND app_id = ANY(${appIds}::text[])`;
  return endpoints.map((e) => ({
    id: e.id,
    appId: e.app_id,
    eventTypes: e.event_types ?? [],
    includePayload: e.include_payload,
    createdAtMs: Number(e.created_ms),
  }));
}

/**
 * Inserts outbox rows; ids follow the array order, so a key's rows are inserted in the order of its
 * events. A notice id already queued (a message batch fanned out again after a crash) is skipped.
 */
async function insertRows(tx: Tx, rows: readonly OutboxRow[]): Promise<number> {
  if (!rows.length) return 0;
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body, trace_parent)
    SELECT n, e, a, t, k, b, p FROM unnest(
      ${rows.map((r) => r.noticeId)}::uuid[], ${rows.map((r) => r.endpointId)}::uuid[], ${rows.map((r) => r.appId)}::text[],
      ${rows.map((r) => r.eventType)}::text[], ${rows.map((r) => r.orderingKey)}::text[], ${rows.map((r) => r.body)}::text[],
      ${rows.map((r) => r.traceParent)}::text[]
    ) WITH ORDINALITY AS u(n, e, a, t, k, b, p, i) ORDER BY i
    ON CONFLICT (notice_id) DO NOTHING`;
}

/** Wakes the other replicas' dispatchers when the transaction commits (OutboxSignal), if it queued rows. */
async function notifyQueued(tx: Tx, inserted: number, payload: string | undefined): Promise<void> {
  if (inserted > 0 && payload !== undefined) await sendWake(tx, payload);
}

/** What one probe saw (FanoutRepository.probe). */
export interface FanoutProbe {
  /** Some endpoint is enabled (with none, the probe moved the record's cursor ahead). */
  anyEndpoint: boolean;
  /** Events after the record's cursor can be read (their transactions are older than every running one). */
  eventsWaiting: boolean;
  /** Some enabled endpoint names a message.* type (only then is anything captured into the messages stream). */
  messagesWanted: boolean;
  /** The messages stream's cursor: its last sequence and the stream's creation time it counts in. */
  messages: { lastSeq: number; epoch: number };
}

/** What one messages fan-out transaction did. */
export interface MessagesFanoutResult {
  busy: boolean;
  messages: number;
  rows: number;
  /** Messages the stream's limits dropped before they were read. */
  skipped: number;
}

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
    await this.prisma.$executeRaw`INSERT INTO webhook_cursors (name) VALUES (${CURSOR}), (${messagesCursor()}) ON CONFLICT (name) DO NOTHING`;
  }

  /**
   * What a fan-out round would find, in one statement outside any transaction (issue 14: the fan-out
   * transactions are opened only when there is something to read): whether any endpoint is enabled,
   * whether the record has events after the cursor (one probe of the (xid, seq) index), whether an
   * endpoint wants message events, and the messages cursor (the caller compares it with the stream's
   * last sequence). With no endpoint enabled nothing is to be sent: the same statement moves the
   * record's cursor past the events older than a short grace (an endpoint being created right now
   * still gets its events), so a new endpoint does not make the fan-out read a day of record first
   * (one backward probe of the index; not run at all, a one-time filter, while endpoints exist).
   */
  async probe(): Promise<FanoutProbe> {
    const [row] = await this.prisma.$queryRaw<
      { any_endpoint: boolean; events_waiting: boolean; messages_wanted: boolean; messages_seq: bigint | null; messages_epoch: bigint | null }[]
    >`
      WITH s AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) AS any_endpoint),
      skipped AS (
        UPDATE webhook_cursors c SET last_xid = l.xid, last_seq = l.seq, updated_at = now()
        FROM (
          SELECT xid, seq FROM app_events
          WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND ts < now() - ${SKIP_GRACE}::interval
          ORDER BY xid DESC, seq DESC LIMIT 1
        ) l
        WHERE NOT (SELECT any_endpoint FROM s) AND c.name = ${CURSOR} AND (l.xid, l.seq) > (c.last_xid, c.last_seq)
        RETURNING 1
      )
      SELECT s.any_endpoint,
             CASE WHEN s.any_endpoint THEN (
               SELECT a.seq FROM app_events a
               WHERE (a.xid, a.seq) > ((SELECT last_xid FROM webhook_cursors WHERE name = ${CURSOR}), (SELECT last_seq FROM webhook_cursors WHERE name = ${CURSOR}))
                 AND a.xid < pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY a.xid, a.seq LIMIT 1
             ) IS NOT NULL ELSE false END AS events_waiting,
             s.any_endpoint AND EXISTS (
               SELECT 1 FROM webhook_endpoints WHERE enabled AND event_types && ${[...OPT_IN_WEBHOOK_EVENTS]}::varchar[]
             ) AS messages_wanted,
             m.last_seq AS messages_seq, m.source_epoch AS messages_epoch
      FROM s LEFT JOIN webhook_cursors m ON m.name = ${messagesCursor()}`;
    return {
      anyEndpoint: row?.any_endpoint ?? false,
      eventsWaiting: row?.events_waiting ?? false,
      messagesWanted: row?.messages_wanted ?? false,
      messages: { lastSeq: Number(row?.messages_seq ?? 0), epoch: Number(row?.messages_epoch ?? 0) },
    };
  }

  /**
   * Fans out the next `max` events after the cursor and moves it past them, in one transaction: the
   * outbox rows and the cursor commit together, so a crash neither loses nor repeats a fan-out.
   * Replicas skip a cursor another holds (SKIP LOCKED). Only events of transactions older than every
   * running one are read, in (xid, seq) order (docs/architecture.md, "Event record"). If it queued
   * rows, `wakePayload` goes to the other replicas (pg_notify: delivered when the rows are committed).
   */
  async fanOut(max: number, notifyMs: number, wakePayload?: string): Promise<FanoutResult> {
    return this.prisma.$transaction(async (tx) => {
      const [cursor] = await tx.$queryRaw<{ last_xid: string; last_seq: bigint }[]>`
        SELECT last_xid::text AS last_xid, last_seq FROM webhook_cursors WHERE name = ${CURSOR} FOR UPDATE SKIP LOCKED`;
      if (!cursor) return { busy: true, events: 0, rows: 0 };
      const taken = await tx.$queryRaw<
        {
          seq: bigint;
          xid_text: string;
          app_id: string;
          kind: string;
          type: string;
          uid: string;
          channel_id: string | null;
          ts: bigint;
          detail: unknown;
          trace_parent: string | null;
        }[]
      >`
        SELECT seq, xid::text AS xid_text, app_id, kind, type, uid, channel_id, (extract(epoch FROM ts) * 1000)::bigint AS ts, detail, trace_parent
        FROM app_events
        WHERE (xid, seq) > (${cursor.last_xid}::xid8, ${cursor.last_seq}::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY app_events.xid, seq LIMIT ${max}::int`;
      if (!taken.length) return { busy: false, events: 0, rows: 0 };
      const last = taken[taken.length - 1]!;
      // One user's or channel's events take their seq under its row lock: seq is the order of its changes.
      const events: RecordedEvent[] = taken
        .map((r) => ({
          seq: r.seq.toString(),
          appId: r.app_id,
          kind: r.kind,
          type: r.type,
          uid: r.uid,
          channelId: r.channel_id,
          ts: Number(r.ts),
          detail: r.detail,
          traceParent: r.trace_parent,
        }))
        .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const notices = events.flatMap(noticesOf);
      const rows = outboxRows(notices, await endpointsOf(tx, notices), notifyMs, randomUUID);
      await notifyQueued(tx, await insertRows(tx, rows), wakePayload);
      await tx.$executeRaw`
        UPDATE webhook_cursors SET last_xid = ${last.xid_text}::xid8, last_seq = ${last.seq}::bigint, updated_at = now() WHERE name = ${CURSOR}`;
      return { busy: false, events: events.length, rows: rows.length };
    }, TX_OPTIONS);
  }

  /**
   * Fans out the next captured messages: locks the "messages" cursor (SKIP LOCKED: one replica at a
   * time), reads the stream after it (`read`, given the next sequence and the stream epoch the cursor
   * counts in), queues the notices and moves the cursor, in one transaction. Notice ids derive from
   * the message and the endpoint, so nothing is queued twice even if a cursor move were lost.
   * `wakePayload` (as in fanOut): sent to the other replicas (pg_notify, on commit) if rows were queued.
   */
  async fanOutMessages(
    read: (fromSeq: number) => Promise<StreamBatch>,
    toNotices: (batch: StreamBatch) => Notice[],
    notifyMs: number,
    wakePayload?: string,
  ): Promise<MessagesFanoutResult> {
    return this.prisma.$transaction(async (tx) => {
      const [cursor] = await tx.$queryRaw<{ last_seq: bigint; source_epoch: bigint }[]>`
        SELECT last_seq, source_epoch FROM webhook_cursors WHERE name = ${messagesCursor()} FOR UPDATE SKIP LOCKED`;
      if (!cursor) return { busy: true, messages: 0, rows: 0, skipped: 0 };
      let next = Number(cursor.last_seq) + 1;
      let batch = await read(next);
      if (batch.epoch !== Number(cursor.source_epoch)) {
        // A stream created again (or the first read): its sequence starts over.
        next = 1;
        if (Number(cursor.source_epoch) !== 0 || Number(cursor.last_seq) !== 0) batch = await read(next);
      }
      const skipped = Math.max(0, batch.firstSeq - next);
      const last = batch.messages.at(-1)?.seq;
      if (last === undefined) {
        // Nothing to read; past messages the stream's limits dropped unread (counted once).
        const to = skipped ? batch.firstSeq - 1 : next - 1;
        if (batch.epoch !== Number(cursor.source_epoch) || to !== Number(cursor.last_seq)) {
          await tx.$executeRaw`UPDATE webhook_cursors SET last_seq = ${to}, source_epoch = ${batch.epoch}, updated_at = now() WHERE name = ${messagesCursor()}`;
        }
        return { busy: false, messages: 0, rows: 0, skipped };
      }
      const notices = toNotices(batch);
      const rows = await insertRows(tx, outboxRows(notices, await endpointsOf(tx, notices), notifyMs, randomUUID));
      await notifyQueued(tx, rows, wakePayload);
      await tx.$executeRaw`
        UPDATE webhook_cursors SET last_seq = ${last}, source_epoch = ${batch.epoch}, updated_at = now() WHERE name = ${messagesCursor()}`;
      return { busy: false, messages: batch.messages.length, rows, skipped };
    }, TX_OPTIONS);
  }
}
