import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type GatewayId } from '@parley/contracts';
import {
  Subjects,
  type GatewayHeartbeat,
  type QueryOnlineReply,
  type QueryOnlineRequest,
  type RegisterSessionReply,
  type RegisterSessionRequest,
  type SetSessionStateRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

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

  constructor(
    private readonly services: ServiceClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.registryId = `${config.GATEWAY_ID}@${randomBytes(6).toString('hex')}` as GatewayId;
  }

  register(req: Omit<RegisterSessionRequest, 'gatewayId'>): Promise<RegisterSessionReply> {
    const full: RegisterSessionRequest = { ...req, gatewayId: this.registryId };
    return this.services.request(Subjects.presence.register, full);
  }

  unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    return this.services.request(Subjects.presence.unregister, req);
  }

  setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    return this.services.request(Subjects.presence.setState, req);
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
