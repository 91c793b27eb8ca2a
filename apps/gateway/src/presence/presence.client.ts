import { Inject, Injectable } from '@nestjs/common';
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
} from '@parley/contracts';
import { ServiceClient } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** The gateway's typed view of the presence service. */
@Injectable()
export class PresenceClient {
  constructor(
    private readonly services: ServiceClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  register(req: RegisterSessionRequest): Promise<RegisterSessionReply> {
    return this.services.request(Subjects.presence.register, req, this.config.SERVICE_TIMEOUT_MS);
  }

  unregister(req: UnregisterSessionRequest): Promise<{ removed: boolean }> {
    return this.services.request(Subjects.presence.unregister, req, this.config.SERVICE_TIMEOUT_MS);
  }

  setState(req: SetSessionStateRequest): Promise<{ changed: boolean }> {
    return this.services.request(Subjects.presence.setState, req, this.config.SERVICE_TIMEOUT_MS);
  }

  query(req: QueryOnlineRequest): Promise<QueryOnlineReply> {
    return this.services.request(Subjects.presence.query, req, this.config.SERVICE_TIMEOUT_MS);
  }

  statuses(req: StatusSnapshotRequest): Promise<StatusSnapshotReply> {
    return this.services.requestIdempotent(Subjects.presence.statuses, req, this.config.SERVICE_TIMEOUT_MS);
  }

  heartbeat(hb: GatewayHeartbeat): void {
    this.services.emit(Subjects.presence.gatewayHeartbeat, hb);
  }
}
