import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import {
  Subjects,
  type ChannelEventsTakeReply,
  type ChannelCountsRequest,
  type ChannelMembersRequest,
  type EventsTakeRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UserEventsTakeReply,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The server API's typed view of Parley's services (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class ServicesClient {
  constructor(private readonly services: ServiceClient) {}

  takeUserEvents(appId: AppId, max: number): Promise<UserEventsTakeReply> {
    return this.services.request(Subjects.presence.userEventsTake, { appId, max } satisfies EventsTakeRequest);
  }

  takeChannelEvents(appId: AppId, max: number): Promise<ChannelEventsTakeReply> {
    return this.services.request(Subjects.channel.eventsTake, { appId, max } satisfies EventsTakeRequest);
  }

  statuses(req: StatusSnapshotRequest): Promise<StatusSnapshotReply> {
    return this.services.requestIdempotent(Subjects.presence.statuses, req);
  }

  members(req: ChannelMembersRequest): Promise<string[]> {
    return this.services.requestIdempotent(Subjects.channel.members, req);
  }

  counts(req: ChannelCountsRequest): Promise<number[]> {
    return this.services.requestIdempotent(Subjects.channel.counts, req);
  }
}
