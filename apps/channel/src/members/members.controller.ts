import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Patterns,
  type ChannelCountsRequest,
  type ChannelJoinRequest,
  type ChannelLeaveSessionRequest,
  type ChannelLeaveRequest,
  type ChannelMembersRequest,
  type ChannelMembersPageRequest,
  type UserChannelsRequest,
} from '@parley/contracts/internal';
import { MembersService } from './members.service';

@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @MessagePattern(Patterns.channel.join)
  join(@Payload() req: ChannelJoinRequest) {
    return this.members.join(req);
  }

  @MessagePattern(Patterns.channel.leave)
  leave(@Payload() req: ChannelLeaveRequest) {
    return this.members.leave(req);
  }

  @MessagePattern(Patterns.channel.leaveSession)
  leaveSession(@Payload() req: ChannelLeaveSessionRequest) {
    return this.members.leaveSession(req);
  }

  @MessagePattern(Patterns.channel.members)
  list(@Payload() req: ChannelMembersRequest) {
    return this.members.members(req);
  }

  @MessagePattern(Patterns.channel.membersPage)
  page(@Payload() req: ChannelMembersPageRequest) {
    return this.members.membersPage(req);
  }

  @MessagePattern(Patterns.channel.userChannels)
  userChannels(@Payload() req: UserChannelsRequest) {
    return this.members.userChannels(req);
  }

  @MessagePattern(Patterns.channel.counts)
  counts(@Payload() req: ChannelCountsRequest) {
    return this.members.counts(req);
  }

  @EventPattern(Patterns.presence.wentOffline)
  wentOffline() {
    return this.members.removeOffline();
  }
}
