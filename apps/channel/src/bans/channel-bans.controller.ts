import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type ChannelBanLiftRequest, type ChannelBanRequest, type ChannelBansRequest } from '@parley/contracts/internal';
import { ChannelBansService } from './channel-bans.service';

@Controller()
export class ChannelBansController {
  constructor(private readonly bans: ChannelBansService) {}

  @MessagePattern(Patterns.channel.ban)
  ban(@Payload() req: ChannelBanRequest) {
    return this.bans.ban(req);
  }

  @MessagePattern(Patterns.channel.liftBan)
  lift(@Payload() req: ChannelBanLiftRequest) {
    return this.bans.lift(req);
  }

  @MessagePattern(Patterns.channel.bans)
  list(@Payload() req: ChannelBansRequest) {
    return this.bans.list(req);
  }
}
