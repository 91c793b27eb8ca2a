import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  ErrorCode,
  ID_LIMITS,
  isUid,
  requireAppId,
  requireUid,
  ParleyError,
  PeerState,
  type AppId,
  type GatewayId,
  type SessionId,
  type Uid,
} from '@parley/contracts';
import {
  Patterns,
  SessionState,
  Subjects,
  UserMsgKind,
  type GatewayHeartbeat,
  type KickMessage,
  type QueryOnlineReply,
  type QueryOnlineRequest,
  type RegisterSessionReply,
  type RegisterSessionRequest,
  type RegisterSessionsReply,
  type RegisterSessionsRequest,
  REGISTER_SESSIONS_MAX,
  type SetSessionStateRequest,
  type SetSessionStatesReply,
  type SetSessionStatesRequest,
  SET_SESSION_STATES_MAX,
  type ServiceReply,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts/internal';
import { Alarm, batchItems, errorReply, jittered, NatsBus, ServiceClient } from '@parley/platform';
import { isTracingEnabled } from '@parley/platform/telemetry';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { StatusPublisher } from '../status/status-publisher';
import { isDeadlock, RegisterBatcher, roundsBy } from './register-batcher';
import { effectiveState, type EffectiveState } from './session-status';
import { SessionsRepository, type ChangedSession, type SessionStateChange, type SessionStatusRow } from './sessions.repository';

const PEER_STATE: Record<EffectiveState, PeerState> = {
  ONLINE: PeerState.ONLINE,
  UNREACHABLE: PeerState.UNREACHABLE,
  OFFLINE: PeerState.OFFLINE,
};
const MAX_QUERY_UIDS = 512;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** gateways.id is VARCHAR(100). */
const GATEWAY_ID_MAX = 100;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

function requireIds(appId: unknown, uid: unknown): { appId: AppId; uid: Uid } {
  return { appId: requireAppId(appId), uid: requireUid(uid) };
}

/** A session id as gateways make them (a UUID): checked here, as a malformed one would fail its batch's statement. */
function requireSessionId(value: unknown): SessionId {
  if (typeof value !== 'string' || !SESSION_ID.test(value)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'sessionId: a UUID');
  return value as SessionId;
}

/** A state change as a gateway sends it, checked field by field (a malformed one would fail the statement of its whole batch). */
function validStateChange(req: unknown): SessionStateChange {
  const r = (req && typeof req === 'object' ? req : {}) as Partial<Record<keyof SetSessionStateRequest, unknown>>;
  const { appId, uid } = requireIds(r.appId, r.uid);
  const sessionId = requireSessionId(r.sessionId);
  if (r.state !== SessionState.ONLINE && r.state !== SessionState.UNREACHABLE) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'state: 0 or 1');
  return { appId, uid, sessionId, state: r.state };
}

/** Deadlines are met this much late rather than early (the database's clock, rounding). */
const SWEEP_SLACK_MS = 20;
/** Two checks of one replica are at least this far apart, however close the deadlines. */
const SWEEP_MIN_GAP_MS = 100;
/** A reading counts as knowing of a deadline this replica made only when it arrived this long after (its statement began after the commit). */
const FRESH_AFTER_LOCAL_MS = 1_000;

@Injectable()
export class SessionsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SessionsService.name);
  /** The next check of what the sweep has to do (checkSweep): at the next deadline it knows of. */
  private readonly sweeper = new Alarm(() => void this.checkSweep());
  private safetySweepAt = 0;
  /** The sweep's next deadline as last read (checkSweep, or a heartbeat's statement): when (performance.now()) and what. */
  private knownDue?: { at: number; dueAt: number | null };
  /** When this replica last made a deadline itself (a session UNREACHABLE): a reading from before it does not know it. */
  private localDeadlineAt = -Infinity;
  private stopped = false;
  private readonly registrations: RegisterBatcher;

  constructor(
    private readonly repository: SessionsRepository,
    private readonly bus: NatsBus,
    private readonly services: ServiceClient,
    private readonly status: StatusPublisher,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {
    this.registrations = new RegisterBatcher((logins) => this.repository.registerMany(logins), {
      delayMs: config.REGISTER_BATCH_DELAY_MS,
      max: config.REGISTER_BATCH_MAX,
      writers: config.REGISTER_BATCH_WRITERS,
    });
  }

  private get windows() {
    return { gatewayTtlMs: this.config.GATEWAY_TTL_MS, reconnectWindowMs: this.config.RECONNECT_WINDOW_MS };
  }

  /** Patterns.presence.register: one login, or a gateway's batch of them (RegisterSessionsRequest). */
  registerRequest(req: RegisterSessionRequest | RegisterSessionsRequest): Promise<RegisterSessionReply | RegisterSessionsReply> {
    return req && typeof req === 'object' && 'logins' in req ? this.registerAll(req) : this.register(req);
  }

  /** Each login of the batch on its own: one failing (a malformed one) fails no other. */
  async registerAll(req: RegisterSessionsRequest): Promise<RegisterSessionsReply> {
    const logins = batchItems(req, 'logins', REGISTER_SESSIONS_MAX) as RegisterSessionRequest[];
    const results = await Promise.all(
      logins.map((login) =>
        this.register(login).then(
          (data) => ({ ok: true as const, data }),
          (err: unknown) => errorReply(Patterns.presence.register, err, this.logger),
        ),
      ),
    );
    return { results };
  }

  /**
   * Registers a login (with the others arriving meanwhile, in one statement) and tells every older
   * session of the uid (on any gateway) to end.
   */
  async register(req: RegisterSessionRequest): Promise<RegisterSessionReply> {
    const { appId, uid } = requireIds(req?.appId, req?.uid);
    // Checked here: a malformed field would fail the statement of every login batched with it.
    const sessionId = requireSessionId(req.sessionId);
    if (!isText(req.instanceId, ID_LIMITS.INSTANCE_ID_MAX)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'instanceId: 1–64 chars');
    if (!isText(req.gatewayId, GATEWAY_ID_MAX)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'gatewayId: 1–100 chars');
    const r = await this.registrations.register({
      appId,
      uid,
      sessionId,
      instanceId: req.instanceId,
      gatewayId: req.gatewayId as GatewayId,
    });
    // A banned uid (a kick's ban): nothing was registered, and no session has to end.
    if (r.bannedUntil) throw new ParleyError(ErrorCode.REJECTED, `this user is banned until ${r.bannedUntil.toISOString()}`);
    // Always published, also when nothing was replaced or this login lost: two logins racing on two
    // gateways are settled by the epoch, whichever KICK arrives first.
    const kick: KickMessage = { epoch: r.epoch, sessionId: req.sessionId, instanceId: req.instanceId };
    // Trace headers only when traces are exported: a login storm is thousands of KICKs a second.
    this.bus.publish(Subjects.user(appId, uid), [UserMsgKind.KICK, kick], { trace: isTracingEnabled() });
    const previous = r.previousInstanceId;
    const replaced = previous === null ? 'none' : previous === req.instanceId ? 'same-instance' : 'remote';
    if (!r.won) return { epoch: r.epoch, replaced, offline: r.offlineStored, superseded: true };
    this.status.online([{ appId, uid, seq: r.epoch }]);
    return { epoch: r.epoch, replaced, offline: r.offlineStored };
  }

  async unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    const { appId, uid } = requireIds(req?.appId, req?.uid);
    const gone = await this.repository.unregister(appId, uid, requireSessionId(req.sessionId));
    if (gone) this.status.offline([gone]);
    return { removed: gone !== null };
  }

  async setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    const [done] = await this.applyStates([validStateChange(req)]);
    if (done instanceof Error) throw done;
    return { changed: done !== null };
  }

  /** Patterns.presence.setStates: each change of a gateway's batch on its own (a malformed one fails no other), written by one statement. */
  async setStates(req: SetSessionStatesRequest): Promise<SetSessionStatesReply> {
    const changes = batchItems(req, 'changes', SET_SESSION_STATES_MAX);
    const results = new Array<ServiceReply<{ changed: boolean }>>(changes.length);
    const valid: { at: number; change: SessionStateChange }[] = [];
    changes.forEach((c: unknown, at) => {
      try {
        valid.push({ at, change: validStateChange(c) });
      } catch (err) {
        results[at] = errorReply(Patterns.presence.setStates, err, this.logger);
      }
    });
    const written = await this.applyStates(valid.map((v) => v.change));
    // A failed statement's error, answered (and logged) once for all of its changes.
    const failed = new Map<Error, ServiceReply<{ changed: boolean }>>();
    const failure = (err: Error) => failed.get(err) ?? failed.set(err, errorReply(Patterns.presence.setStates, err, this.logger)).get(err)!;
    valid.forEach((v, k) => {
      const done = written[k];
      results[v.at] = done instanceof Error ? failure(done) : { ok: true, data: { changed: done !== null } };
    });
    return { results };
  }

  /**
   * Writes the changes (a uid that is in them twice: one statement after the other, in their order)
   * and publishes what each statement changed once it committed; at the end of the reconnect window
   * of sessions now UNREACHABLE this replica's sweep alarm rings. Per change: what changed, null (no
   * change), or the error of its statement (the other statements are written all the same).
   */
  private async applyStates(changes: readonly SessionStateChange[]): Promise<(ChangedSession | null | Error)[]> {
    const out = new Array<ChangedSession | null | Error>(changes.length).fill(null);
    const indexed = changes.map((change, at) => ({ change, at }));
    for (const round of roundsBy(indexed, (x) => `${x.change.appId}/${x.change.uid}`)) {
      const batch = round.map((x) => x.change);
      try {
        // A deadlock with another multi-row statement rolled the whole statement back: once more.
        const done = await this.repository.setStates(batch).catch((err: unknown) => (isDeadlock(err) ? this.repository.setStates(batch) : Promise.reject(err)));
        round.forEach((x, k) => (out[x.at] = done[k] ?? null));
        this.publishStates(batch, done);
      } catch (err) {
        for (const x of round) out[x.at] = err instanceof Error ? err : new Error(String(err));
      }
    }
    return out;
  }

  private publishStates(changes: readonly SessionStateChange[], done: readonly (ChangedSession | null)[]): void {
    const online: ChangedSession[] = [];
    const unreachable: ChangedSession[] = [];
    changes.forEach((c, i) => {
      const d = done[i];
      if (d) (c.state === SessionState.ONLINE ? online : unreachable).push(d);
    });
    if (online.length) this.status.online(online);
    if (unreachable.length) {
      this.status.unreachable(unreachable);
      // Their reconnect window ends then: this replica sweeps on time (the others learn it at their next check).
      this.localDeadlineAt = performance.now();
      this.sweeper.in(this.config.RECONNECT_WINDOW_MS + SWEEP_SLACK_MS);
    }
  }

  /** Current state and seq of each uid (what a gateway starts from when a session subscribes). */
  async statuses(req: StatusSnapshotRequest): Promise<StatusSnapshotReply> {
    const rows = await this.rows(req);
    const states: PeerState[] = [];
    const seqs: number[] = [];
    for (const uid of req.uids) {
      const row = rows.get(uid);
      states.push(PEER_STATE[effectiveState(row, this.windows)]);
      seqs.push(row ? Number(row.statusSeq ?? 0) : 0);
    }
    return { states, seqs };
  }

  async query(req: QueryOnlineRequest): Promise<QueryOnlineReply> {
    const rows = await this.rows(req);
    // UNREACHABLE is still logged in: agora-rtm 1.x reports it as online in queries.
    return { online: req.uids.map((uid) => effectiveState(rows.get(uid), this.windows) !== 'OFFLINE') };
  }

  /** The registry rows of the asked uids (1–512 valid ids of one app), by uid. */
  private async rows(req: { appId: unknown; uids: unknown }): Promise<Map<string, SessionStatusRow>> {
    const appId = requireAppId(req.appId);
    const uids = req.uids;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > MAX_QUERY_UIDS || !uids.every(isUid)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `uids: 1–${MAX_QUERY_UIDS} valid user ids`);
    }
    return new Map((await this.repository.statuses(appId, uids)).map((r) => [r.uid, r]));
  }

  async gatewayHeartbeat(hb: GatewayHeartbeat): Promise<void> {
    const { online, nextSweepDueMs } = await this.repository.gatewayHeartbeat(
      hb.gatewayId as GatewayId,
      this.config.RECONNECT_WINDOW_MS,
      this.config.GATEWAY_TTL_MS,
    );
    this.status.online(online);
    this.learnSweepDue(nextSweepDueMs);
  }

  onApplicationBootstrap(): void {
    this.sweeper.in(0);
  }

  /** Logins queued or in flight are written (and answered) before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.registrations.drain();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.sweeper.cancel();
  }

  /**
   * Sleeps until something is due instead of polling: asks Postgres when the next deadline is
   * (nextSweepDue: index reads only), sweeps when it has come, and sets the alarm for the next one,
   * at most SWEEP_INTERVAL_MS ahead (a deadline another replica created meanwhile is learnt then).
   * A gateway heartbeat this replica writes reads the same answer in its statement: while such a
   * reading is younger than SWEEP_INTERVAL_MS (and newer than a deadline this replica made itself),
   * it stands for the read. Every SWEEP_SAFETY_MS (± 20 %) it sweeps whatever the deadlines say (a
   * gateway row gone from under its sessions has no deadline).
   */
  private async checkSweep(): Promise<void> {
    if (this.stopped) return;
    // A heartbeat this replica wrote told it the answer less than SWEEP_INTERVAL_MS ago (the gateways'
    // heartbeats come every 2 s): no read of its own while nothing is due (issue 14, idle cluster).
    const now = performance.now();
    const known = this.knownDue;
    const trusted = known && known.at > this.localDeadlineAt + FRESH_AFTER_LOCAL_MS && now - known.at < this.config.SWEEP_INTERVAL_MS;
    if (known && trusted && (known.dueAt === null || known.dueAt > now) && now < this.safetySweepAt) {
      this.sleepUntilDue(known);
      return;
    }
    try {
      const windowMs = this.config.RECONNECT_WINDOW_MS;
      const ttlMs = this.config.GATEWAY_TTL_MS;
      let due = await this.repository.nextSweepDue(windowMs, ttlMs);
      if ((due !== null && due <= 0) || performance.now() >= this.safetySweepAt) {
        this.safetySweepAt = performance.now() + jittered(this.config.SWEEP_SAFETY_MS);
        await this.sweep();
        due = await this.repository.nextSweepDue(windowMs, ttlMs);
      }
      this.knownDue = { at: performance.now(), dueAt: due === null ? null : performance.now() + due };
    } catch (err) {
      this.logger.warn(`sweep check failed: ${(err as Error).message}`);
      this.knownDue = undefined;
    }
    if (!this.stopped) this.sleepUntilDue(this.knownDue);
  }

  /** What nextSweepDue answered inside a heartbeat's statement: the alarm moves to it if sooner. */
  private learnSweepDue(dueMs: number | null): void {
    const now = performance.now();
    this.knownDue = { at: now, dueAt: dueMs === null ? null : now + dueMs };
    if (!this.stopped && dueMs !== null) this.sweeper.in(Math.max(SWEEP_MIN_GAP_MS, dueMs + SWEEP_SLACK_MS));
  }

  /** The alarm at the known deadline, at most SWEEP_INTERVAL_MS after that knowledge, and never after the safety sweep. */
  private sleepUntilDue(known: { at: number; dueAt: number | null } | undefined): void {
    const now = performance.now();
    let next = (known?.at ?? now) + this.config.SWEEP_INTERVAL_MS - now;
    if (known?.dueAt != null) next = Math.min(next, Math.max(SWEEP_MIN_GAP_MS, known.dueAt - now + SWEEP_SLACK_MS));
    this.sweeper.in(Math.max(SWEEP_MIN_GAP_MS, Math.min(next, this.safetySweepAt - now)));
  }

  /**
   * When checkSweep finds something due, on each replica (each change is made, and published, by exactly one):
   * sessions of gateways silent past the TTL turn UNREACHABLE; sessions past the reconnect window
   * (or on a gateway silent that long) are removed as OFFLINE.
   */
  async sweep(): Promise<number> {
    try {
      this.status.unreachable(await this.repository.suspectSilentGateways(this.config.GATEWAY_TTL_MS));
      const gone = await this.repository.sweepOffline(this.config.RECONNECT_WINDOW_MS, this.config.GATEWAY_TTL_MS);
      if (gone.length) {
        this.logger.log({ msg: 'sessions went offline', count: gone.length });
        this.status.offline(gone);
        this.services.emit(Subjects.presence.wentOffline, { sessions: gone });
      }
      return gone.length;
    } catch (err) {
      this.logger.warn(`sweep failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
