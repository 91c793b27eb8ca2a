import { Injectable } from '@nestjs/common';
import { InvitationFailure, InvitationState, TERMINAL_INVITATION_STATES, type AppId, type InvitationSnapshot, type Uid } from '@parley/contracts';
import { Prisma, PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';
import { OPEN_STATES, type CheckedCreate, type InvitationKey } from './invitation-rules';

/** An invitation as stored: its app and the snapshot both parties are told. */
export interface InvitationRecord {
  appId: AppId;
  snapshot: InvitationSnapshot;
}

interface InvitationRow {
  app_id: string;
  caller_uid: string;
  id: string;
  callee_uid: string;
  content: string;
  channel_id: string;
  response: string;
  state: string;
  reason: string | null;
  ts: number;
}

/** Every statement names the table `i`; this is what each returns. */
const COLUMN_LIST =
  'i.app_id, i.caller_uid, i.id, i.callee_uid, i.content, i.channel_id, i.response, i.state, i.reason, ' +
  'floor(extract(epoch FROM i.updated_at) * 1000)::float8 AS ts';
const COLUMNS = Prisma.raw(COLUMN_LIST);
/**
 * The time of a change: strictly after the previous one of the same invitation (whichever replica
 * made it), so `ts` orders one invitation's snapshots even when they arrive out of order.
 */
const NEXT_TS = Prisma.raw(`greatest(clock_timestamp(), i.updated_at + interval '1 millisecond')`);
const OPEN = [...OPEN_STATES];
/** The most invitations one sweep fails (the next sweep takes the rest). */
const SWEEP_BATCH = 1_000;
const TERMINAL = [...TERMINAL_INVITATION_STATES];

/**
 * The CTE that follows `changed` (the invitations a statement inserted or updated, RETURNING
 * COLUMNS) in every statement that can end an invitation: each one `changed` left in a terminal
 * state gets its `Ended` in the event record (kind `invite`, uid = the caller, channel_id = the
 * invitation's channel or null, detail InviteEndedDetail), in the same statement. A statement that
 * matched no row (a losing compare-and-set, a resend) records nothing. `traceParent`: the action that
 * ended them (null from the deadline sweep, whose timer may run in the context of an unrelated request).
 */
const endedEventCte = (traceParent: string | null = activeTraceparent()): Prisma.Sql => Prisma.sql`
  , ended_events AS (
    INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts, detail, trace_parent)
    SELECT c.app_id, 'invite', 'Ended', c.caller_uid, NULLIF(c.channel_id, ''), clock_timestamp(),
           jsonb_strip_nulls(jsonb_build_object('id', c.id, 'callee', c.callee_uid, 'outcome', c.state,
             'reason', CASE WHEN c.state = ${InvitationState.FAILED} THEN c.reason END)), ${traceParent}
    FROM changed c WHERE c.state = ANY(${TERMINAL}::text[])
    ORDER BY c.app_id, c.caller_uid, c.id
  )`;

function toRecord(row: InvitationRow): InvitationRecord {
  const snapshot: InvitationSnapshot = {
    id: row.id,
    caller: row.caller_uid,
    callee: row.callee_uid,
    content: row.content,
    ch: row.channel_id,
    response: row.response,
    state: row.state as InvitationState,
    ts: Number(row.ts),
  };
  if (row.state === InvitationState.FAILED && row.reason) snapshot.reason = row.reason as InvitationFailure;
  return { appId: row.app_id as AppId, snapshot };
}

function after(ms: number | null): Prisma.Sql {
  return ms === null ? Prisma.sql`NULL` : Prisma.sql`now() + ${ms}::float8 * interval '1 millisecond'`;
}

/** How a created invitation starts: waiting for the callee's client, or failed at once. */
export type InitialState = { state: typeof InvitationState.SENT; deadlineMs: number } | { state: typeof InvitationState.FAILED; reason: InvitationFailure };

/** A compare-and-set of one invitation's state. */
export interface Transition {
  from: readonly InvitationState[];
  to: InvitationState;
  /** When set, the invitation must have this callee (callee-side actions). */
  callee?: Uid;
  /** When set, replaces the stored response. */
  response?: string;
  /** The new state times out in this many ms; null: no deadline. */
  deadlineMs: number | null;
}

/**
 * Invitations in Postgres. Every change is one conditional statement (a compare-and-set on `state`),
 * so crossing calls on any replicas yield one outcome: the loser's statement matches no row.
 */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async find(key: InvitationKey): Promise<InvitationRecord | null> {
    const [row] = await this.prisma.$queryRaw<InvitationRow[]>`
      SELECT ${COLUMNS} FROM invitations i WHERE i.app_id = ${key.appId} AND i.caller_uid = ${key.caller} AND i.id = ${key.id}`;
    return row ? toRecord(row) : null;
  }

  /**
   * Inserts a new invitation; null when one with this key exists already (a concurrent resend). One
   * that starts FAILED gets its `Ended` event in the same statement.
   */
  async insert(inv: CheckedCreate, initial: InitialState): Promise<InvitationRecord | null> {
    const failed = initial.state === InvitationState.FAILED;
    const [row] = await this.prisma.$queryRaw<InvitationRow[]>`
      WITH changed AS (
        INSERT INTO invitations AS i (app_id, caller_uid, id, callee_uid, content, channel_id, response, state, reason, deadline, created_at, updated_at, ended_at)
        VALUES (${inv.appId}, ${inv.caller}, ${inv.id}, ${inv.callee}, ${inv.content}, ${inv.ch}, '', ${initial.state},
          ${failed ? initial.reason : null}, ${after(failed ? null : initial.deadlineMs)}, now(), now(), ${failed ? Prisma.sql`now()` : Prisma.sql`NULL`})
        ON CONFLICT (app_id, caller_uid, id) DO NOTHING
        RETURNING ${COLUMNS}
      ) ${endedEventCte()}
      SELECT * FROM changed`;
    return row ? toRecord(row) : null;
  }

  /**
   * Moves the invitation from one of `t.from` to `t.to`; null when it is in none of them (or not the
   * callee's). A move to a terminal state records the `Ended` event in the same statement.
   */
  async transition(key: InvitationKey, t: Transition): Promise<InvitationRecord | null> {
    const ends = TERMINAL_INVITATION_STATES.has(t.to);
    const callee = t.callee === undefined ? Prisma.empty : Prisma.sql`AND i.callee_uid = ${t.callee}`;
    const response = t.response === undefined ? Prisma.empty : Prisma.sql`, response = ${t.response}`;
    const [row] = await this.prisma.$queryRaw<InvitationRow[]>`
      WITH changed AS (
        UPDATE invitations AS i
        SET state = ${t.to}, reason = NULL, deadline = ${after(t.deadlineMs)}, ended_at = ${ends ? Prisma.sql`now()` : Prisma.sql`NULL`},
          updated_at = ${NEXT_TS} ${response}
        WHERE i.app_id = ${key.appId} AND i.caller_uid = ${key.caller} AND i.id = ${key.id}
          AND i.state = ANY(${[...t.from]}::text[]) ${callee}
        RETURNING ${COLUMNS}
      ) ${ends ? endedEventCte() : Prisma.empty}
      SELECT * FROM changed`;
    return row ? toRecord(row) : null;
  }

  /**
   * Fails open invitations past their deadline, the reason by the state they timed out in. Rows a
   * concurrent transition holds are skipped (that transition decides; a later sweep sees the result).
   * Each failed one's `Ended` event is recorded in the same statement.
   */
  async failOverdue(): Promise<InvitationRecord[]> {
    const rows = await this.prisma.$queryRaw<InvitationRow[]>`
      WITH due AS (
        SELECT app_id, caller_uid, id, state FROM invitations
        WHERE state = ANY(${OPEN}::text[]) AND deadline < now()
        ORDER BY deadline LIMIT ${SWEEP_BATCH}
        FOR UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE invitations AS i
        SET state = ${InvitationState.FAILED},
          reason = CASE due.state
            WHEN ${InvitationState.SENT} THEN ${InvitationFailure.PEER_NO_RESPONSE}
            WHEN ${InvitationState.RECEIVED} THEN ${InvitationFailure.INVITATION_EXPIRE}
            ELSE ${InvitationFailure.ACCEPT_FAILURE} END,
          deadline = NULL, ended_at = now(), updated_at = ${NEXT_TS}
        FROM due
        WHERE i.app_id = due.app_id AND i.caller_uid = due.caller_uid AND i.id = due.id AND i.state = due.state
        RETURNING ${COLUMNS}
      ) ${endedEventCte(null)}
      SELECT * FROM changed`;
    return rows.map(toRecord);
  }

  /** Milliseconds until the earliest deadline of an open invitation (database clock; ≤ 0: overdue), null when none is open. */
  async nextDeadlineIn(): Promise<number | null> {
    const [row] = await this.prisma.$queryRaw<{ next_ms: number | null }[]>`
      SELECT (extract(epoch FROM min(deadline) - now()) * 1000)::float8 AS next_ms
      FROM invitations WHERE state = ANY(${OPEN}::text[]) AND deadline IS NOT NULL`;
    return row?.next_ms ?? null;
  }

  /**
   * Fails every open invitation any of the uids (they went OFFLINE) is caller or callee of, with
   * PEER_OFFLINE and each with its `Ended` event, in one statement (a gateway's sessions going
   * OFFLINE together are thousands). Rows are locked in key order, so two batches on two replicas
   * never deadlock on each other.
   */
  async failOpenOfMany(gone: readonly { appId: AppId; uid: Uid }[]): Promise<InvitationRecord[]> {
    if (gone.length === 0) return [];
    const rows = await this.prisma.$queryRaw<InvitationRow[]>`
      WITH gone AS MATERIALIZED (
        SELECT DISTINCT g.app_id, g.uid FROM unnest(${gone.map((g) => g.appId)}::text[], ${gone.map((g) => g.uid)}::text[]) AS g(app_id, uid)
      ), targets AS MATERIALIZED (
        SELECT i.app_id, i.caller_uid, i.id FROM invitations i JOIN gone g ON i.app_id = g.app_id AND i.caller_uid = g.uid
        WHERE i.state = ANY(${OPEN}::text[])
        UNION
        SELECT i.app_id, i.caller_uid, i.id FROM invitations i JOIN gone g ON i.app_id = g.app_id AND i.callee_uid = g.uid
        WHERE i.state = ANY(${OPEN}::text[])
      ), locked AS (
        SELECT i.app_id, i.caller_uid, i.id FROM invitations i
        JOIN targets t ON i.app_id = t.app_id AND i.caller_uid = t.caller_uid AND i.id = t.id
        ORDER BY i.app_id, i.caller_uid, i.id
        FOR UPDATE OF i
      ), changed AS (
        UPDATE invitations AS i
        SET state = ${InvitationState.FAILED}, reason = ${InvitationFailure.PEER_OFFLINE}, deadline = NULL, ended_at = now(), updated_at = ${NEXT_TS}
        FROM locked l
        WHERE i.app_id = l.app_id AND i.caller_uid = l.caller_uid AND i.id = l.id AND i.state = ANY(${OPEN}::text[])
        RETURNING ${COLUMNS}
      ) ${endedEventCte()}
      SELECT * FROM changed`;
    return rows.map(toRecord);
  }

  /** Deletes invitations ended more than `keepMs` ago; returns how many. */
  async deleteEnded(keepMs: number): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM invitations WHERE ended_at < now() - ${keepMs}::float8 * interval '1 millisecond'`;
  }

  /** The uid's invitations (as caller or callee) that are open or ended within `recentMs`, oldest first (listOfMany of one). */
  async listOf(appId: AppId, uid: Uid, recentMs: number): Promise<InvitationRecord[]> {
    return (await this.listOfMany(appId, [uid], recentMs)).get(uid)!;
  }

  /**
   * The invitations of each uid (as caller or callee) that are open or ended within `recentMs`, oldest
   * first, read by one statement: every uid of `uids` has its list (empty: none). An invitation
   * between two of them is in both lists. A reconnect storm runs it for every batch of resuming
   * logins: a prepared statement on the pool, without Prisma's request pipeline.
   */
  async listOfMany(appId: AppId, uids: readonly Uid[], recentMs: number): Promise<Map<Uid, InvitationRecord[]>> {
    const lists = new Map<Uid, InvitationRecord[]>(uids.map((uid) => [uid, []]));
    if (uids.length === 0) return lists;
    const rows = await this.prisma.sql<InvitationRow>(
      `SELECT ${COLUMN_LIST} FROM invitations i
       WHERE i.app_id = $1 AND (i.caller_uid = ANY($2::text[]) OR i.callee_uid = ANY($2::text[]))
         AND (i.ended_at IS NULL OR i.ended_at > now() - $3::float8 * interval '1 millisecond')
       ORDER BY i.created_at, i.caller_uid, i.id`,
      [appId, uids, recentMs],
      'invitation-list-of-many',
    );
    for (const row of rows) {
      const record = toRecord(row);
      lists.get(row.caller_uid as Uid)?.push(record);
      if (row.callee_uid !== row.caller_uid) lists.get(row.callee_uid as Uid)?.push(record);
    }
    return lists;
  }
}
