import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, ParleyError, type GatewayId } from '@parley/contracts';
import {
  REGISTER_SESSIONS_MAX,
  Subjects,
  type GatewayHeartbeat,
  type QueryOnlineReply,
  type QueryOnlineRequest,
  type RegisterSessionReply,
  type RegisterSessionRequest,
  type RegisterSessionsReply,
  SET_SESSION_STATES_MAX,
  type SetSessionStateRequest,
  type SetSessionStatesReply,
  type SetSessionStatesRequest,
  type RegisterSessionsRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts/internal';
import { errorReply, replyData, ServiceClient } from '@parley/platform';
import { isTracingEnabled } from '@parley/platform/telemetry';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/**
 * Logins per register request (presence takes up to REGISTER_SESSIONS_MAX): the answers of one
 * request are handled in one go, which must not hold the event loop long while messages flow.
 */
const LOGINS_PER_REQUEST = Math.min(64, REGISTER_SESSIONS_MAX);

/**
 * Requests of one event-loop turn, sent as one batch request at its end (or when `max` are queued):
 * one message each way and one handler run in presence instead of one per request. Each caller
 * gets its own result; all fail when the batch request fails.
 */
class TurnBatch<Req, Res> {
  private queued: { req: Req; resolve: (res: Res) => void; reject: (err: unknown) => void }[] = [];

  constructor(
    private readonly subject: string,
    private readonly send: (reqs: Req[]) => Promise<{ results?: unknown } | null | undefined>,
    private readonly max: number,
  ) {}

  add(req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.queued.push({ req, resolve, reject });
      if (this.queued.length === 1) setImmediate(this.flush);
      else if (this.queued.length >= this.max) this.flush();
    });
  }

  /** Sends what is queued now (also before the turn ends: a shutdown's last changes). */
  readonly flush = (): void => {
    const batch = this.queued;
    if (!batch.length) return;
    this.queued = [];
    Promise.resolve()
      .then(() => this.send(batch.map((q) => q.req)))
      .then(
        (reply) => {
          // Another process's reply: each result is checked (replyData), a missing one fails its request.
          const results: unknown[] = Array.isArray(reply?.results) ? reply.results : [];
          for (const [i, q] of batch.entries()) {
            try {
              q.resolve(replyData<Res>(this.subject, results[i]));
            } catch (err) {
              q.reject(err);
            }
          }
        },
        (err: unknown) => batch.forEach((q) => q.reject(err)),
      );
  };
}

/** The gateway's typed view of the presence service, and who this process is in the session registry. */
@Injectable()
export class PresenceClient {
  /**
   * This process in the registry: GATEWAY_ID plus a boot id of its own. A gateway restarted with the
   * same GATEWAY_ID (npm start, a pod restart) must not revive the sessions of the process that died:
   * they stay on the old id, whose heartbeat stopped, and presence settles them by the silent-gateway
   * rules (UNREACHABLE, then OFFLINE after the window) unless their clients resume in time. Sessions
   * registered by this process (also resumes of the dead one's clients) carry the new id, so nothing
   * depends on which of the two a presence replica hears about first.
   */
  readonly registryId: GatewayId;
  private readonly logger = new Logger(PresenceClient.name);
  /** Logins of this event-loop turn, sent as one request at its end. */
  private readonly logins = new TurnBatch<RegisterSessionRequest, RegisterSessionReply>(
    Subjects.presence.register,
    (logins) => this.services.request<RegisterSessionsReply>(Subjects.presence.register, { logins } satisfies RegisterSessionsRequest),
    LOGINS_PER_REQUEST,
  );
  /** Connection-state changes of this turn (sockets closed together), sent as one request at its end. */
  private readonly states = new TurnBatch<SetSessionStateRequest, { changed: boolean }>(
    Subjects.presence.setStates,
    (changes) =>
      this.services
        .request<SetSessionStatesReply>(Subjects.presence.setStates, { changes } satisfies SetSessionStatesRequest)
        .catch((err: unknown) => (err instanceof ParleyError && err.code === ErrorCode.UNAVAILABLE ? this.oneByOne(changes) : Promise.reject(err))),
    SET_SESSION_STATES_MAX,
  );

  constructor(
    private readonly services: ServiceClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.registryId = `${config.GATEWAY_ID}@${randomBytes(6).toString('hex')}` as GatewayId;
  }

  /**
   * Registers a login. The logins of one event-loop turn travel as one request (one message each
   * way, one handler run in presence) unless traces are exported: then each is its own request, a
   * child of its login's span.
   */
  register(req: Omit<RegisterSessionRequest, 'gatewayId'>): Promise<RegisterSessionReply> {
    const full: RegisterSessionRequest = { ...req, gatewayId: this.registryId };
    if (isTracingEnabled()) return this.services.request(Subjects.presence.register, full);
    return this.logins.add(full);
  }

  unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    return this.services.request(Subjects.presence.unregister, req);
  }

  /** A session's connection state; the changes of one turn travel as one request (as logins do). */
  setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    if (isTracingEnabled()) return this.services.request(Subjects.presence.setState, req);
    return this.states.add(req);
  }

  /**
   * The changes of a batch as single requests: while presence rolls out, no replica may take batches
   * yet (no responders on setStates); one that only knows single changes takes these.
   */
  private async oneByOne(changes: SetSessionStateRequest[]): Promise<SetSessionStatesReply> {
    const results = await Promise.all(
      changes.map((c) =>
        this.services.request<{ changed: boolean }>(Subjects.presence.setState, c).then(
          (data) => ({ ok: true as const, data }),
          (err: unknown) => errorReply(Subjects.presence.setState, err, this.logger),
        ),
      ),
    );
    return { results };
  }

  /** Sends the state changes queued in this turn now (a drain ends every session, then closes the connection to NATS). */
  flushStates(): void {
    this.states.flush();
  }

  query(req: QueryOnlineRequest): Promise<QueryOnlineReply> {
    return this.services.request(Subjects.presence.query, req);
  }

  statuses(req: StatusSnapshotRequest): Promise<StatusSnapshotReply> {
    return this.services.requestIdempotent(Subjects.presence.statuses, req);
  }

  /** Proves to presence that this process (registryId) is alive; `sessions` is for diagnostics. */
  heartbeat(sessions: number): void {
    const hb: GatewayHeartbeat = { gatewayId: this.registryId, sessions };
    this.services.emit(Subjects.presence.gatewayHeartbeat, hb);
  }
}
