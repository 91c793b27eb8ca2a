import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Subjects,
  type ChannelCountsRequest,
  type ChannelJoinRequest,
  type ChannelLeaveSessionRequest,
  type ChannelLeaveRequest,
  type ChannelMembersRequest,
} from '@parley/contracts';
import { MembersService } from './members.service';

@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @MessagePattern(Subjects.channel.join)
  join(@Payload() req: ChannelJoinRequest) {
    return this.members.join(req);
  }

  @MessagePattern(Subjects.channel.leave)
  leave(@Payload() req: ChannelLeaveRequest) {
    return this.members.leave(req);
  }

  @MessagePattern(Subjects.channel.leaveSession)
  leaveSession(@Payload() req: ChannelLeaveSessionRequest) {
    return this.members.leaveSession(req);
  }

  @MessagePattern(Subjects.channel.members)
  list(@Payload() req: ChannelMembersRequest) {
    return this.members.members(req);
  }

  @MessagePattern(Subjects.channel.counts)
  counts(@Payload() req: ChannelCountsRequest) {
    return this.members.counts(req);
  }

  @EventPattern(Subjects.presence.wentOffline)
  wentOffline() {
    return this.members.removeOffline();
  }
}
