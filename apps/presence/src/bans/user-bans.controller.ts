import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type KickUserRequest, type UserBanRequest } from '@parley/contracts/internal';
import { UserBansService } from './user-bans.service';

@Controller()
export class UserBansController {
  constructor(private readonly bans: UserBansService) {}

  @MessagePattern(Patterns.presence.kick)
  kick(@Payload() req: KickUserRequest) {
    return this.bans.kick(req);
  }

  @MessagePattern(Patterns.presence.ban)
  ban(@Payload() req: UserBanRequest) {
    return this.bans.ban(req);
  }

  @MessagePattern(Patterns.presence.liftBan)
  lift(@Payload() req: UserBanRequest) {
    return this.bans.lift(req);
  }
}
