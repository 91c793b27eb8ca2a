import { Injectable } from '@nestjs/common';
import type { AppId, AttributesMap, ChannelAttributesMap, MetadataData, MetadataWriteResult } from '@parley/contracts';
import {
  HistorySubjects,
  MetadataSubjects,
  Subjects,
  type HistoryCountReply,
  type HistoryCountRequest,
  type HistoryPageReply,
  type HistoryPageRequest,
  type HistoryQueryReply,
  type HistoryQueryRequest,
  type ChannelMetadataGetRequest,
  type ChannelMetadataWriteRequest,
  type UserMetadataGetRequest,
  type UserMetadataWriteRequest,
  type BanLiftReply,
  type ChannelBanLiftRequest,
  type ChannelBanReply,
  type ChannelBanRequest,
  type ChannelBansPage,
  type ChannelBansRequest,
  type KickUserReply,
  type KickUserRequest,
  type UserBanReply,
  type UserBanRequest,
  type ChannelAttrsGetRequest,
  type ChannelAttrsWriteRequest,
  type ChannelEventsTakeReply,
  type ChannelCountsRequest,
  type ChannelMembersPage,
  type ChannelMembersPageRequest,
  type UserChannelsReply,
  type UserChannelsRequest,
  type EventsTakeRequest,
  type StatusSnapshotReply,
  type StatusSnapshotRequest,
  type UserAttrsGetRequest,
  type UserAttrsWriteRequest,
  type UserEventsTakeReply,
  type ChannelStatsReply,
  type GatewayStatsReply,
  type GatewayStatsRequest,
  type PresenceStatsReply,
  type StatsRequest,
  type UserSessionsReply,
  type UserSessionsRequest,
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

  membersPage(req: ChannelMembersPageRequest): Promise<ChannelMembersPage> {
    return this.services.requestIdempotent(Subjects.channel.membersPage, req);
  }

  userChannels(req: UserChannelsRequest): Promise<UserChannelsReply> {
    return this.services.requestIdempotent(Subjects.channel.userChannels, req);
  }

  counts(req: ChannelCountsRequest): Promise<number[]> {
    return this.services.requestIdempotent(Subjects.channel.counts, req);
  }

  userAttributes(req: UserAttrsGetRequest): Promise<AttributesMap> {
    return this.services.requestIdempotent(Subjects.attributes.userGet, req);
  }

  /** Not retried: a write that reached a replica which then died may have happened. */
  writeUserAttributes(req: UserAttrsWriteRequest): Promise<null> {
    return this.services.request(Subjects.attributes.userWrite, req);
  }

  channelAttributes(req: ChannelAttrsGetRequest): Promise<ChannelAttributesMap> {
    return this.services.requestIdempotent(Subjects.attributes.channelGet, req);
  }

  /** Not retried (as writeUserAttributes). */
  writeChannelAttributes(req: ChannelAttrsWriteRequest): Promise<null> {
    return this.services.request(Subjects.attributes.channelWrite, req);
  }

  userMetadata(req: UserMetadataGetRequest): Promise<MetadataData> {
    return this.services.requestIdempotent(MetadataSubjects.userGet, req);
  }

  /** Not retried: a write that reached a replica which then died may have happened (a compare-and-set would then fail). */
  writeUserMetadata(req: UserMetadataWriteRequest): Promise<MetadataWriteResult> {
    return this.services.request(MetadataSubjects.userWrite, req);
  }

  channelMetadata(req: ChannelMetadataGetRequest): Promise<MetadataData> {
    return this.services.requestIdempotent(MetadataSubjects.channelGet, req);
  }

  /** Not retried (as writeUserMetadata). */
  writeChannelMetadata(req: ChannelMetadataWriteRequest): Promise<MetadataWriteResult> {
    return this.services.request(MetadataSubjects.channelWrite, req);
  }

  /** Not retried: the kick may have happened (asking again would end a login made since). */
  kick(req: KickUserRequest): Promise<KickUserReply> {
    return this.services.request(Subjects.presence.kick, req);
  }

  userBan(req: UserBanRequest): Promise<UserBanReply> {
    return this.services.requestIdempotent(Subjects.presence.ban, req);
  }

  liftUserBan(req: UserBanRequest): Promise<BanLiftReply> {
    return this.services.requestIdempotent(Subjects.presence.liftBan, req);
  }

  /** Not retried (a ban replaces the previous one: asked again, it would end later). */
  banFromChannel(req: ChannelBanRequest): Promise<ChannelBanReply> {
    return this.services.request(Subjects.channel.ban, req);
  }

  liftChannelBan(req: ChannelBanLiftRequest): Promise<BanLiftReply> {
    return this.services.requestIdempotent(Subjects.channel.liftBan, req);
  }

  channelBans(req: ChannelBansRequest): Promise<ChannelBansPage> {
    return this.services.requestIdempotent(Subjects.channel.bans, req);
  }

  /** Reads of the history service (apps/history): asked again once when the replica that took one died. */
  historyPage(req: HistoryPageRequest): Promise<HistoryPageReply> {
    return this.services.requestIdempotent(HistorySubjects.page, req);
  }

  historyQuery(req: HistoryQueryRequest): Promise<HistoryQueryReply> {
    return this.services.requestIdempotent(HistorySubjects.query, req);
  }

  historyCount(req: HistoryCountRequest): Promise<HistoryCountReply> {
    return this.services.requestIdempotent(HistorySubjects.count, req);
  }

  /** The admin API's live counts: the session registry's (presence) … */
  presenceStats(req: StatsRequest): Promise<PresenceStatsReply> {
    return this.services.requestIdempotent(Subjects.presence.stats, req);
  }

  /** … membership's (channel service) … */
  channelStats(req: StatsRequest): Promise<ChannelStatsReply> {
    return this.services.requestIdempotent(Subjects.channel.stats, req);
  }

  /** … and every gateway's own: the answers that came within `windowMs`, or once `expected` came. */
  gatewayStats(req: GatewayStatsRequest, windowMs: number, expected: number): Promise<GatewayStatsReply[]> {
    return this.services.gather(Subjects.gatewayStats, req, { windowMs, expected });
  }

  /** A uid's state and registered session (the admin API's user lookup). */
  userSessions(req: UserSessionsRequest): Promise<UserSessionsReply> {
    return this.services.requestIdempotent(Subjects.presence.userSessions, req);
  }
}
