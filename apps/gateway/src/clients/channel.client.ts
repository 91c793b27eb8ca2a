import { Injectable } from '@nestjs/common';
import { type GetMembersResult, type MemberCountResult } from '@parley/contracts';
import {
  Subjects,
  type ChannelCountsRequest,
  type ChannelJoinReply,
  type ChannelJoinRequest,
  type ChannelLeaveRequest,
  type ChannelLeaveSessionRequest,
  type ChannelMembersRequest,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the channel service (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class ChannelClient {
  constructor(private readonly services: ServiceClient) {}

  /** Idempotent (a rejoin of a member changes nothing): asked again once when a replica dies. */
  join(req: ChannelJoinRequest): Promise<ChannelJoinReply> {
    return this.services.requestIdempotent(Subjects.channel.join, req);
  }

  leave(req: ChannelLeaveRequest): Promise<unknown> {
    return this.services.requestIdempotent(Subjects.channel.leave, req);
  }

  /** Ends the memberships a session holds (logout, remote login, reconnect window over). */
  leaveSession(req: ChannelLeaveSessionRequest): Promise<unknown> {
    return this.services.requestIdempotent(Subjects.channel.leaveSession, req);
  }

  members(req: ChannelMembersRequest): Promise<GetMembersResult> {
    return this.services.request(Subjects.channel.members, req);
  }

  counts(req: ChannelCountsRequest): Promise<MemberCountResult> {
    return this.services.request(Subjects.channel.counts, req);
  }
}
