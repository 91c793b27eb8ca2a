import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Patterns,
  type GatewayHeartbeat,
  type QueryOnlineRequest,
  type RegisterSessionRequest,
  type RegisterSessionsRequest,
  type SetSessionStateRequest,
  type SetSessionStatesRequest,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts/internal';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(Patterns.presence.register)
  register(@Payload() req: RegisterSessionRequest | RegisterSessionsRequest) {
    return this.sessions.registerRequest(req);
  }

  @MessagePattern(Patterns.presence.unregister)
  unregister(@Payload() req: UnregisterSessionRequest) {
    return this.sessions.unregister(req);
  }

  @MessagePattern(Patterns.presence.setState)
  setState(@Payload() req: SetSessionStateRequest) {
    return this.sessions.setState(req);
  }

  @MessagePattern(Patterns.presence.setStates)
  setStates(@Payload() req: SetSessionStatesRequest) {
    return this.sessions.setStates(req);
  }

  @MessagePattern(Patterns.presence.query)
  query(@Payload() req: QueryOnlineRequest) {
    return this.sessions.query(req);
  }

  @MessagePattern(Patterns.presence.statuses)
  statuses(@Payload() req: StatusSnapshotRequest) {
    return this.sessions.statuses(req);
  }

  @EventPattern(Patterns.presence.gatewayHeartbeat)
  gatewayHeartbeat(@Payload() hb: GatewayHeartbeat) {
    return this.sessions.gatewayHeartbeat(hb);
  }
}
