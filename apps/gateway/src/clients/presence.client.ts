import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { GatewayId } from '@parley/contracts';
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
import { ServiceClient } from '@parley/platform';
import { isTracingEnabled } from '@parley/platform/telemetry';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { TurnBatch } from './turn-batch';

/**
 * Logins per register request (presence takes up to REGISTER_SESSIONS_MAX): the answers of one
 * request are handled in one go, which must not hold the event loop long while messages flow.
 */
const LOGINS_PER_REQUEST = Math.min(64, REGISTER_SESSIONS_MAX);

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
  /** Logins of this event-loop turn, sent as one request at its end. */
  private readonly logins = new TurnBatch<RegisterSessionRequest, RegisterSessionReply>({
    subject: Subjects.presence.register,
    send: (logins) => this.services.request<RegisterSessionsReply>(Subjects.presence.register, { logins } satisfies RegisterSessionsRequest),
    max: LOGINS_PER_REQUEST,
  });
  /**
   * Connection-state changes of this turn (sockets closed together), sent as one request at its end;
   * one by one while no presence replica takes batches yet (setStates is newer than setState).
   */
  private readonly states = new TurnBatch<SetSessionStateRequest, { changed: boolean }>({
    subject: Subjects.presence.setStates,
    send: (changes) => this.services.request<SetSessionStatesReply>(Subjects.presence.setStates, { changes } satisfies SetSessionStatesRequest),
    max: SET_SESSION_STATES_MAX,
    single: (change) => this.services.request<{ changed: boolean }>(Subjects.presence.setState, change),
  });

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
