import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type StatsRequest, type UserSessionsRequest } from '@parley/contracts/internal';
import { AdminService } from './admin.service';

/** The admin API's reads (the operator console). */
@Controller()
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @MessagePattern(Patterns.presence.stats)
  stats(@Payload() req: StatsRequest) {
    return this.admin.sessionStats(req);
  }

  @MessagePattern(Patterns.presence.userSessions)
  userSessions(@Payload() req: UserSessionsRequest) {
    return this.admin.userSessions(req);
  }
}
