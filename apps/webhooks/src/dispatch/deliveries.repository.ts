import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';
import { sendWake } from './outbox-signal';

/** A delivery claimed for one attempt, with its endpoint's URL and secret. */
export interface ClaimedDelivery {
  id: bigint;
  noticeId: string;
  endpointId: string;
  eventType: string;
  body: string;
  /** This attempt's number: recording its result requires it still to be the row's (a fence). */
  attempts: number;
  createdAtMs: number;
  url: string;
  secret: string;
  /** The traceparent of the action that caused the event (the attempt's span links to it). */
  traceParent: string | null;
}

export interface ClaimLimits {
  /** Most rows in all. */
  max: number;
  /** Most rows per endpoint not listed in `endpointSlots`. */
  perEndpoint: number;
  /** Endpoints with a smaller allowance (attempts in flight, half-open circuit); 0 = none now. */
  endpointSlots: ReadonlyMap<string, number>;
  /** A claimed row is due again this long after the claim (its replica died). */
  leaseMs: number;
}

export interface ClaimResult {
  /** In id order. */
  claimed: ClaimedDelivery[];
  /** Milliseconds until the next pending row of an enabled endpoint falls due (retry or lease end); null: none. */
  nextDueMs: number | null;
}

/** The outbox (webhook_deliveries, owned by webhooks) and the endpoints it reads (owned by api). */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims due deliveries in one statement: each the oldest pending row of its (endpoint, ordering
   * key) — so one key has one attempt in flight and goes in id order — within the allowances,
   * oldest due first. Rows another replica is claiming are skipped (SKIP LOCKED) and re-checked
   * once locked; a claimed row gets attempts + 1 and a lease instead of a lock.
   *
   * The same statement reads when the next row falls due — the earliest `next_attempt_at` still in
   * the future of an enabled endpoint's pending rows: a retry's due time or a lease's end (another
   * replica's, or one of this replica's whose result could not be recorded). One probe of the
   * (state, next_attempt_at) index; rows due already are left out (those not claimed now wait for
   * something that wakes the dispatcher: an attempt ending, a circuit's cooldown, a notification).
   * Leases set by a claim running at the same moment on another replica are not seen yet.
   */
  async claim(limits: ClaimLimits): Promise<ClaimResult> {
    const ids = [...limits.endpointSlots.keys()];
    const slots = ids.map((id) => limits.endpointSlots.get(id)!);
    const closed = ids.filter((_, i) => slots[i] === 0);
    const lease = `${limits.leaseMs} milliseconds`;
    // One row at least: the claimed ones, or one of nulls, each with next_due_ms.
    const rows = await this.prisma.$queryRaw<
      {
        id: bigint | null;
        notice_id: string;
        endpoint_id: string;
        event_type: string;
        body: string;
        attempts: number;
        created_ms: bigint;
        url: string;
        secret: string;
        trace_parent: string | null;
        next_due_ms: bigint | null;
      }[]
    >`
      WITH heads AS (
        SELECT d.id, d.endpoint_id, d.next_attempt_at FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.state = 0 AND d.next_attempt_at <= now() AND NOT (d.endpoint_id = ANY(${closed}::uuid[]))
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
            WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.id < d.id AND p.state = 0
          )
        ORDER BY d.next_attempt_at, d.id LIMIT ${limits.max * 4}::int
      ), ranked AS (
        SELECT h.id, h.next_attempt_at, row_number() OVER (PARTITION BY h.endpoint_id ORDER BY h.next_attempt_at, h.id) AS rn,
               COALESCE(s.slots, ${limits.perEndpoint}::int) AS slots
        FROM heads h LEFT JOIN unnest(${ids}::uuid[], ${slots}::int[]) AS s(endpoint_id, slots) ON s.endpoint_id = h.endpoint_id
      ), picked AS (
        SELECT id FROM ranked WHERE rn <= slots ORDER BY next_attempt_at, id LIMIT ${limits.max}::int
      ), locked AS (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.id IN (SELECT id FROM picked) AND d.state = 0 AND d.next_attempt_at <= now()
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + ${lease}::interval
        FROM locked l, webhook_endpoints e
        WHERE d.id = l.id AND e.id = d.endpoint_id
        RETURNING d.id, d.notice_id::text AS notice_id, d.endpoint_id::text AS endpoint_id, d.event_type, d.body, d.attempts,
                  (extract(epoch FROM d.created_at) * 1000)::bigint AS created_ms, e.url, e.secret, d.trace_parent
      ), next_due AS (
        SELECT d.next_attempt_at AS at FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.state = 0 AND d.next_attempt_at > now()
        ORDER BY d.next_attempt_at LIMIT 1
      )
      SELECT c.*, ceil(extract(epoch FROM (SELECT at FROM next_due) - now()) * 1000)::bigint AS next_due_ms
      FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`;
    const nextDue = rows[0]?.next_due_ms;
    const claimed = rows
      .filter((r): r is (typeof rows)[number] & { id: bigint } => r.id !== null)
      .map((r) => ({
        id: r.id,
        noticeId: r.notice_id,
        endpointId: r.endpoint_id,
        eventType: r.event_type,
        body: r.body,
        attempts: r.attempts,
        createdAtMs: Number(r.created_ms),
        url: r.url,
        secret: r.secret,
        traceParent: r.trace_parent,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return { claimed, nextDueMs: nextDue === null || nextDue === undefined ? null : Math.max(0, Number(nextDue)) };
  }

  /**
   * Records 2xx answers in one statement; returns the ids recorded (one is missing when its claim was
   * lost: the lease ran out and another attempt began).
   */
  async delivered(results: ReadonlyArray<{ id: bigint; attempts: number; status: number }>): Promise<Set<bigint>> {
    if (!results.length) return new Set();
    const rows = await this.prisma.$queryRaw<{ id: bigint }[]>`
      UPDATE webhook_deliveries d SET state = 1, delivered_at = now(), last_status = r.status, last_error = NULL
      FROM unnest(${results.map((r) => r.id)}::bigint[], ${results.map((r) => r.attempts)}::int[], ${results.map((r) => r.status)}::int[])
        AS r(id, attempts, status)
      WHERE d.id = r.id AND d.attempts = r.attempts AND d.state = 0
      RETURNING d.id`;
    return new Set(rows.map((r) => r.id));
  }

  /** Records a failed attempt: due again in `retryInMs`, or dead (kept for the admin API's failures and replay). */
  async failed(id: bigint, attempts: number, result: { status?: number; error: string; retryInMs?: number }): Promise<boolean> {
    const dead = result.retryInMs === undefined;
    const retry = `${result.retryInMs ?? 0} milliseconds`;
    const n = await this.prisma.$executeRaw`
      UPDATE webhook_deliveries
      SET state = ${dead ? 2 : 0}::smallint, next_attempt_at = CASE WHEN ${dead} THEN next_attempt_at ELSE now() + ${retry}::interval END,
          last_status = ${result.status ?? null}::int, last_error = left(${result.error}, 500)
      WHERE id = ${id}::bigint AND attempts = ${attempts}::int AND state = 0`;
    return n > 0;
  }

  /** Wakes the other replicas' dispatchers (OutboxSignal). */
  async notify(payload: string): Promise<void> {
    await sendWake(this.prisma, payload);
  }

  /** Pending deliveries of every app, and how many apps have more than each of `thresholds` pending (gauges; no app label). */
  async pendingCounts(thresholds: readonly number[]): Promise<{ total: number; appsOver: number[] }> {
    const [row] = await this.prisma.$queryRaw<{ total: bigint; over: bigint[] }[]>`
      WITH p AS (SELECT app_id, count(*) AS n FROM webhook_deliveries WHERE state = 0 GROUP BY app_id)
      SELECT (SELECT COALESCE(sum(n), 0)::bigint FROM p) AS total,
             ARRAY(SELECT (SELECT count(*) FROM p WHERE p.n > u.t) FROM unnest(${[...thresholds]}::int[]) WITH ORDINALITY AS u(t, i) ORDER BY u.i) AS over`;
    return { total: Number(row?.total ?? 0), appsOver: (row?.over ?? thresholds.map(() => 0n)).map(Number) };
  }

  /** Deletes up to `batch` delivered rows older than `deliveredMs` and dead rows older than `deadMs`; returns how many. */
  async deleteExpired(deliveredMs: number, deadMs: number, batch: number): Promise<number> {
    const delivered = `${deliveredMs} milliseconds`;
    const dead = `${deadMs} milliseconds`;
    return this.prisma.$executeRaw`
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE (state = 1 AND delivered_at < now() - ${delivered}::interval) OR (state = 2 AND created_at < now() - ${dead}::interval)
        LIMIT ${batch}::int
      )`;
  }
}
