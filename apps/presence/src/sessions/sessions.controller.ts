import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Subjects,
  type GatewayHeartbeat,
  type QueryOnlineRequest,
  type RegisterSessionRequest,
  type SetSessionStateRequest,
  type StatusSnapshotRequest,
  type UnregisterSessionRequest,
} from '@parley/contracts';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(Subjects.presence.register)
  register(@Payload() req: RegisterSessionRequest) {
    return this.sessions.register(req);
  }

  @MessagePattern(Subjects.presence.unregister)
  unregister(@Payload() req: UnregisterSessionRequest) {
    return this.sessions.unregister(req);
  }

  @MessagePattern(Subjects.presence.setState)
  setState(@Payload() req: SetSessionStateRequest) {
    return this.sessions.setState(req);
  }

  @MessagePattern(Subjects.presence.query)
  query(@Payload() req: QueryOnlineRequest) {
    return this.sessions.query(req);
  }

  @MessagePattern(Subjects.presence.statuses)
  statuses(@Payload() req: StatusSnapshotRequest) {
    return this.sessions.statuses(req);
  }

  @EventPattern(Subjects.presence.gatewayHeartbeat)
  gatewayHeartbeat(@Payload() hb: GatewayHeartbeat) {
    return this.sessions.gatewayHeartbeat(hb);
  }
}
