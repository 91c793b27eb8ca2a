import { Injectable } from '@nestjs/common';
import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { activeTraceparent } from '@parley/platform/telemetry';
import { logoutDetail } from '../user-events/logout-detail';

const REMOTE_LOGIN = logoutDetail('remote_login');
const LOGOUT = logoutDetail('logout');
const TIMEOUT = logoutDetail('timeout');

export interface SessionStatusRow {
  uid: string;
  state: number;
  /** Order of this uid's status changes (0 in unit tests that do not care). */
  statusSeq?: bigint | number;
  stateSince: Date;
  heartbeatAt: Date | null;
  now: Date;
}

/** One login to register. */
export interface SessionRegistration {
  appId: AppId;
  uid: Uid;
  sessionId: SessionId;
  instanceId: string;
  gatewayId: GatewayId;
}

export interface RegisteredSession {
  /** Also the seq of the ONLINE status change the login makes. */
  epoch: number;
  previousInstanceId: string | null;
  /** False when a racing login of the uid with a higher epoch holds the row: this one lost. */
  won: boolean;
  /** Unexpired offline messages are stored for the uid. */
  offlineStored: boolean;
  /** The uid is banned from logging in until then (a kick's ban): this login was not registered. */
  bannedUntil?: Date | null;
}

/** What a gateway heartbeat changed and told (SessionsRepository.gatewayHeartbeat). */
export interface GatewayHeartbeatResult {
  /** Sessions ONLINE again: their gateway had been suspected dead. */
  online: ChangedSession[];
  /** nextSweepDue's answer, read in the same statement. */
  nextSweepDueMs: number | null;
}

/** A session whose status changed, with the change's seq. */
export interface ChangedSession {
  appId: string;
  uid: string;
  seq: number;
}

type ChangedRow = { app_id: string; uid: string; seq: bigint | string };

/** One session's connection state to set (SessionState). */
export interface SessionStateChange {
  appId: AppId;
  uid: Uid;
  sessionId: SessionId;
  state: number;
}
const changed = (rows: ChangedRow[]): ChangedSession[] => rows.map((r) => ({ appId: r.app_id, uid: r.uid, seq: Number(r.seq) }));

/**
 * When sweeping next has something to do (nextSweepDue), as an SQL expression: the earliest of the
 * end of an unreachable session's reconnect window, the TTL of a gateway not yet suspected, and the
 * window after the heartbeat of a gateway that still holds sessions. `window` and `ttl` are the
 * statement's interval parameters. `heartbeating`: the parameter of a gateway whose heartbeat the same
 * statement writes (it sees the table as before its update): that gateway's terms are the ones its
 * fresh heartbeat gives (now() + TTL, or the window when that is shorter).
 */
function sweepDeadline(window: string, ttl: string, heartbeating?: string): string {
  const others = heartbeating ? ` AND id <> ${heartbeating}` : '';
  return `LEAST(
    (SELECT min(state_since) FROM sessions WHERE state = 1) + ${window},
    (SELECT min(heartbeat_at) FROM gateways WHERE NOT suspected${others}) + ${ttl},
    (SELECT min(heartbeat_at) FROM gateways g WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.gateway_id = g.id)${others}) + ${window}${
      heartbeating ? `,\n    now() + LEAST(${window}, ${ttl})` : ''
    }
  )`;
}

/** The session registry in Postgres: one row per (app, uid), gateways' heartbeats beside it. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Registers one login (registerMany of one). */
  async register(appId: AppId, uid: Uid, sessionId: SessionId, instanceId: string, gatewayId: GatewayId): Promise<RegisteredSession> {
    const [one] = await this.registerMany([{ appId, uid, sessionId, instanceId, gatewayId }]);
    return one!;
  }

  /**
   * Registers logins in one statement, each (app, uid) at most once (the caller splits): every login
   * gets a fresh epoch; the row keeps the highest (a racing statement's older login loses: `won`
   * false). Gateways unknown yet get their row (heartbeats keep it fresh; a login never writes an
   * existing one). Rows are locked in (app, uid) order, as by every other batch, so two batches never
   * deadlock on each other. The previous instance is read from the statement's snapshot: a login
   * committed meanwhile by another statement is not seen (a race of two logins of one uid within
   * milliseconds). Results in the order of `logins`.
   *
   * The same statement records the user events of the logins that won (the event record): `Login`,
   * preceded by a `Logout` of the replaced session when it was another client's (or a row that
   * appeared after the snapshot: its login recorded a `Login`, so the stream keeps alternating); a
   * resume of the same SDK instance records nothing. Both at the time the row was written (after
   * any lock the statement waited for: a uid's events are in the order of its changes).
   *
   * A login of a uid with an unexpired ban (user_bans, written by a kick) is neither registered nor
   * recorded: its result carries `bannedUntil` (and `won` false); the other logins go on.
   */
  async registerMany(logins: readonly SessionRegistration[]): Promise<RegisteredSession[]> {
    if (logins.length === 0) return [];
    const col = (f: (l: SessionRegistration) => string) => logins.map(f);
    // Every login runs it (a storm: hundreds a second per replica): a prepared statement on the pool,
    // parsed and planned once per connection, without Prisma's request pipeline (issue 14, logins).
    const rows = await this.prisma.sql<{
      i: string;
      epoch: string;
      previous_instance_id: string | null;
      won: boolean;
      offline: boolean;
      banned_until: Date | null;
    }>(
      `WITH input AS MATERIALIZED (
        SELECT r.i, r.app_id, r.uid, r.session_id::uuid AS session_id, r.instance_id, r.gateway_id,
               nextval('sessions_epoch_seq') AS epoch
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             WITH ORDINALITY AS r(app_id, uid, session_id, instance_id, gateway_id, i)
      ), banned AS MATERIALIZED (
        SELECT n.i, b.expires_at FROM input n
        JOIN user_bans b ON b.app_id = n.app_id AND b.uid = n.uid AND b.expires_at > now()
      ), gw AS (
        INSERT INTO gateways (id) SELECT DISTINCT gateway_id FROM input ON CONFLICT (id) DO NOTHING
      ), prev AS (
        SELECT s.app_id, s.uid, s.instance_id FROM sessions s JOIN input n ON s.app_id = n.app_id AND s.uid = n.uid
      ), up AS (
        INSERT INTO sessions AS s (app_id, uid, session_id, instance_id, gateway_id, epoch, state, state_since, logged_in_at, status_seq)
        SELECT n.app_id, n.uid, n.session_id, n.instance_id, n.gateway_id, n.epoch, 0, now(), now(), n.epoch FROM input n
        WHERE NOT EXISTS (SELECT 1 FROM banned b WHERE b.i = n.i) ORDER BY n.app_id, n.uid
        ON CONFLICT (app_id, uid) DO UPDATE SET
          session_id = EXCLUDED.session_id, instance_id = EXCLUDED.instance_id, gateway_id = EXCLUDED.gateway_id,
          epoch = EXCLUDED.epoch, state = 0, state_since = now(), logged_in_at = now(), status_seq = EXCLUDED.status_seq
        WHERE s.epoch < EXCLUDED.epoch
        RETURNING s.app_id, s.uid, (s.xmax = 0) AS inserted
      ), replaced AS MATERIALIZED (
        SELECT n.app_id, n.uid, n.i, u.inserted, clock_timestamp() AS at,
               (NOT u.inserted AND p.instance_id IS NOT DISTINCT FROM n.instance_id) AS same_instance
        FROM input n JOIN up u ON u.app_id = n.app_id AND u.uid = n.uid
        LEFT JOIN prev p ON p.app_id = n.app_id AND p.uid = n.uid
      ), events AS (
        INSERT INTO app_events (app_id, kind, type, uid, ts, detail, trace_parent)
        SELECT r.app_id, 'user', e.type, r.uid, r.at, e.detail, $6::text
        FROM replaced r CROSS JOIN (VALUES (1, 'Logout', $7::jsonb), (2, 'Login', NULL::jsonb)) AS e(ord, type, detail)
        WHERE NOT r.same_instance AND (e.type = 'Login' OR NOT r.inserted)
        ORDER BY r.i, e.ord
      )
      SELECT n.i, n.epoch, p.instance_id AS previous_instance_id, (u.uid IS NOT NULL) AS won, bn.expires_at AS banned_until,
             EXISTS (SELECT 1 FROM offline_messages o WHERE o.app_id = n.app_id AND o.uid = n.uid AND o.expires_at > now()) AS offline
      FROM input n
      LEFT JOIN prev p ON p.app_id = n.app_id AND p.uid = n.uid
      LEFT JOIN up u ON u.app_id = n.app_id AND u.uid = n.uid
      LEFT JOIN banned bn ON bn.i = n.i`,
      [col((l) => l.appId), col((l) => l.uid), col((l) => l.sessionId), col((l) => l.instanceId), col((l) => l.gatewayId), activeTraceparent(), REMOTE_LOGIN],
      'presence-register-many',
    );
    const out = new Array<RegisteredSession>(logins.length);
    for (const r of rows) {
      out[Number(r.i) - 1] = {
        epoch: Number(r.epoch),
        previousInstanceId: r.previous_instance_id,
        won: r.won,
        offlineStored: r.offline,
        bannedUntil: r.banned_until,
      };
    }
    return out;
  }

  /**
   * Removes the session only if it is still this one (a newer login may have replaced it): its OFFLINE
   * change, and its `Logout` in the event record (same statement).
   */
  async unregister(appId: AppId, uid: Uid, sessionId: SessionId): Promise<ChangedSession | null> {
    const rows = await this.prisma.$queryRaw<ChangedRow[]>`
      WITH gone AS (
        DELETE FROM sessions WHERE app_id = ${appId} AND uid = ${uid} AND session_id = ${sessionId}::uuid
        RETURNING app_id, uid, nextval('sessions_epoch_seq') AS seq
      ), events AS (
        INSERT INTO app_events (app_id, kind, type, uid, ts, detail, trace_parent)
        SELECT app_id, 'user', 'Logout', uid, clock_timestamp(), ${LOGOUT}::jsonb, ${activeTraceparent()} FROM gone
      )
      SELECT app_id, uid, seq FROM gone`;
    return changed(rows)[0] ?? null;
  }

  /** Sets the session's connection state; returns the change (null when it already was in that state). */
  async setState(appId: AppId, uid: Uid, sessionId: SessionId, state: number): Promise<ChangedSession | null> {
    const [one] = await this.setStates([{ appId, uid, sessionId, state }]);
    return one ?? null;
  }

  /**
   * Sets the connection state of several sessions in one statement, each (app, uid) at most once
   * (the caller splits): a session that is not this one any more (a newer login replaced it) or
   * already is in that state is left as it is. Rows are locked in (app, uid) order, as by every other
   * batch (registerMany, the sweep), so two batches never deadlock on each other. Per change, in the
   * order of `changes`: what changed, or null.
   */
  async setStates(changes: readonly SessionStateChange[]): Promise<(ChangedSession | null)[]> {
    if (changes.length === 0) return [];
    // A gateway whose sockets close together (a network drop, a drain's leftovers) sends thousands:
    // a prepared statement on the pool, without Prisma's request pipeline.
    const rows = await this.prisma.sql<ChangedRow & { i: string }>(
      `WITH v AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::smallint[]) WITH ORDINALITY AS v(app_id, uid, session_id, state, i)
      ), target AS MATERIALIZED (
        SELECT s.app_id, s.uid, s.session_id, v.state, v.i FROM sessions s
        JOIN v ON s.app_id = v.app_id AND s.uid = v.uid AND s.session_id = v.session_id
        WHERE s.state <> v.state
        ORDER BY s.app_id, s.uid
        FOR UPDATE OF s
      )
      UPDATE sessions s SET state = t.state, state_since = now(), status_seq = nextval('sessions_epoch_seq')
      FROM target t WHERE s.app_id = t.app_id AND s.uid = t.uid AND s.session_id = t.session_id AND s.state <> t.state
      RETURNING t.i, s.app_id, s.uid, s.status_seq AS seq`,
      [changes.map((c) => c.appId), changes.map((c) => c.uid), changes.map((c) => c.sessionId), changes.map((c) => c.state)],
      'presence-set-states',
    );
    const out = new Array<ChangedSession | null>(changes.length).fill(null);
    for (const r of rows) out[Number(r.i) - 1] = { appId: r.app_id, uid: r.uid, seq: Number(r.seq) };
    return out;
  }

  async statuses(appId: AppId, uids: readonly string[]): Promise<SessionStatusRow[]> {
    return this.prisma.$queryRaw<SessionStatusRow[]>`
      SELECT s.uid, s.state, s.state_since AS "stateSince", g.heartbeat_at AS "heartbeatAt", now() AS now,
             s.status_seq AS "statusSeq"
      FROM sessions s LEFT JOIN gateways g ON g.id = s.gateway_id
      WHERE s.app_id = ${appId} AND s.uid = ANY(${uids as string[]}::text[])`;
  }

  /**
   * Refreshes the gateway's heartbeat. When it had been suspected dead (its sessions reported
   * UNREACHABLE), its connected sessions are ONLINE again: returns those changes, and what
   * nextSweepDue would answer right after the heartbeat.
   */
  async gatewayHeartbeat(gatewayId: GatewayId, windowMs: number, gatewayTtlMs: number): Promise<GatewayHeartbeatResult> {
    // Every GATEWAY_HEARTBEAT_MS per gateway, idle or not: on the pool, without Prisma's overhead.
    // It also reads nextSweepDue's answer (the replica that took the heartbeat needs no read of its
    // own), with this gateway's terms as its fresh heartbeat gives them (sweepDeadline).
    const [row] = await this.prisma.sql<{ suspected: boolean; ms: number | null }>(
      `WITH old AS (
         SELECT suspected FROM gateways WHERE id = $1 FOR UPDATE
       ), up AS (
         INSERT INTO gateways (id, heartbeat_at) VALUES ($1, now())
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), suspected = false
       )
       SELECT coalesce((SELECT suspected FROM old), false) AS suspected,
              (extract(epoch FROM ${sweepDeadline('$2::interval', '$3::interval', '$1')} - now()) * 1000)::float8 AS ms`,
      [gatewayId, `${windowMs} milliseconds`, `${gatewayTtlMs} milliseconds`],
      'presence-gateway-heartbeat',
    );
    const nextSweepDueMs = row?.ms ?? null;
    if (!row?.suspected) return { online: [], nextSweepDueMs };
    // Rows locked in (app, uid) order, as by every multi-row statement here: no deadlock with a batch.
    const online = changed(
      await this.prisma.$queryRaw<ChangedRow[]>`
        WITH t AS MATERIALIZED (
          SELECT app_id, uid FROM sessions WHERE gateway_id = ${gatewayId} AND state = 0
          ORDER BY app_id, uid FOR UPDATE
        )
        UPDATE sessions s SET status_seq = nextval('sessions_epoch_seq')
        FROM t WHERE s.app_id = t.app_id AND s.uid = t.uid
        RETURNING s.app_id, s.uid, s.status_seq AS seq`,
    );
    return { online, nextSweepDueMs };
  }

  /**
   * Marks gateways silent for longer than the TTL as suspected (each by exactly one replica) and
   * returns their connected sessions, which are UNREACHABLE from now on (effectiveState()).
   */
  async suspectSilentGateways(ttlMs: number): Promise<ChangedSession[]> {
    const ttl = `${ttlMs} milliseconds`;
    return changed(
      await this.prisma.$queryRaw<ChangedRow[]>`
        WITH s AS (
          UPDATE gateways SET suspected = true
          WHERE NOT suspected AND heartbeat_at < now() - ${ttl}::interval
          RETURNING id
        ), t AS MATERIALIZED (
          SELECT x.app_id, x.uid FROM sessions x JOIN s ON x.gateway_id = s.id WHERE x.state = 0
          ORDER BY x.app_id, x.uid FOR UPDATE OF x
        )
        UPDATE sessions x SET status_seq = nextval('sessions_epoch_seq')
        FROM t WHERE x.app_id = t.app_id AND x.uid = t.uid
        RETURNING x.app_id, x.uid, x.status_seq AS seq`,
    );
  }

  /**
   * Milliseconds until sweeping has something to do (≤ 0: now), or null when nothing is pending
   * (sweepDeadline; suspectSilentGateways and sweepOffline would change nothing before it). Index
   * reads (sessions by state and state_since, and by gateway) and the small gateways table: no scan
   * of the sessions.
   */
  async nextSweepDue(windowMs: number, gatewayTtlMs: number): Promise<number | null> {
    // Read every few seconds by every replica, idle or not: on the pool, without Prisma's overhead.
    const [row] = await this.prisma.sql<{ ms: number | null }>(
      `SELECT (extract(epoch FROM ${sweepDeadline('$1::interval', '$2::interval')} - now()) * 1000)::float8 AS ms`,
      [`${windowMs} milliseconds`, `${gatewayTtlMs} milliseconds`],
      'presence-next-sweep-due',
    );
    return row?.ms ?? null;
  }

  /**
   * Sessions in the registry, all apps: online, or unreachable (connection lost, or on a gateway
   * presumed dead). One scan of the table, for a gauge refreshed every METRICS_REFRESH_MS.
   */
  async countByState(): Promise<{ online: number; unreachable: number }> {
    const [row] = await this.prisma.$queryRaw<{ online: number; unreachable: number }[]>`
      SELECT count(*) FILTER (WHERE s.state = 0 AND g.suspected IS FALSE)::int AS online,
             count(*) FILTER (WHERE s.state <> 0 OR g.suspected IS NOT FALSE)::int AS unreachable
      FROM sessions s LEFT JOIN gateways g ON g.id = s.gateway_id`;
    return row ?? { online: 0, unreachable: 0 };
  }

  /**
   * Deletes sessions that are OFFLINE by the rules of effectiveState(): unreachable past the window,
   * or on a gateway silent for longer than the window. Safe to run on every replica (each row is
   * returned by exactly one DELETE). Each one's `Logout` goes to the event record in the same
   * statement, at the time the session became OFFLINE by effectiveState() (offlineAt()): the end of
   * its reconnect window, or the window after its gateway's last heartbeat; never later than now.
   */
  async sweepOffline(windowMs: number, gatewayTtlMs: number): Promise<ChangedSession[]> {
    const window = `${windowMs} milliseconds`;
    const ttl = `${gatewayTtlMs} milliseconds`;
    const rows = await this.prisma.$queryRaw<ChangedRow[]>`
      WITH doomed AS MATERIALIZED (
        SELECT s.app_id, s.uid FROM sessions s
        WHERE (s.state = 1 AND s.state_since < now() - ${window}::interval)
           OR NOT EXISTS (SELECT 1 FROM gateways g WHERE g.id = s.gateway_id AND g.heartbeat_at >= now() - ${window}::interval)
        ORDER BY s.app_id, s.uid FOR UPDATE OF s
      ), gone AS (
        DELETE FROM sessions s USING doomed d WHERE s.app_id = d.app_id AND s.uid = d.uid
        RETURNING s.app_id, s.uid, s.state, s.state_since, nextval('sessions_epoch_seq') AS seq,
                  (SELECT g.heartbeat_at FROM gateways g WHERE g.id = s.gateway_id) AS heartbeat_at
      ), events AS (
        INSERT INTO app_events (app_id, kind, type, uid, ts, detail)
        SELECT app_id, 'user', 'Logout', uid, LEAST(now(), CASE
                 WHEN state = 1 AND (heartbeat_at IS NULL OR state_since + ${window}::interval <= heartbeat_at + ${ttl}::interval)
                   THEN state_since + ${window}::interval
                 ELSE COALESCE(heartbeat_at + ${window}::interval, now())
               END), ${TIMEOUT}::jsonb
        FROM gone ORDER BY seq
      )
      SELECT app_id, uid, seq FROM gone`;
    await this.prisma.$executeRaw`
      DELETE FROM gateways g WHERE g.heartbeat_at < now() - interval '1 hour'
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.gateway_id = g.id)`;
    return changed(rows);
  }
}
