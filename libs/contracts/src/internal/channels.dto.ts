/** Channels on NATS (gateway ⇄ gateway, channel service → gateways) and between the gateway and the channel service. */

/** Kinds of message on a channel subject; the first element of the MessagePack array body. */
export const ChanMsgKind = {
  /** [MESSAGE, ChannelMessageEvent] */
  MESSAGE: 1,
  /** [MEMBER_JOINED, {uid}] */
  MEMBER_JOINED: 2,
  /** [MEMBER_LEFT, {uid}] */
  MEMBER_LEFT: 3,
  /** [MEMBER_COUNT, {count}] — one stream per channel, from the channel service's leader. */
  MEMBER_COUNT: 4,
  /** [ATTRIBUTES, ChannelAttrsEvent] — after a channel-attribute write with notify, in write order. */
  ATTRIBUTES: 5,
  /** [METADATA, ChannelMetadataEvent] — after every channel-metadata write, in revision order. */
  METADATA: 6,
} as const;
export type ChanMsgKind = (typeof ChanMsgKind)[keyof typeof ChanMsgKind];

// ── gateway ⇄ channel service (Subjects.channel.*) ────────────────────────────

export interface ChannelJoinRequest {
  appId: string;
  ch: string;
  uid: string;
  sessionId: string;
  gatewayId: string;
  /** A rejoin after a reconnect: no MemberJoined when the member is still there. */
  resume: boolean;
}

export interface ChannelJoinReply {
  count: number;
  /** False when the uid already was a member (a resume): no MemberJoined was published. */
  joined: boolean;
}

export interface ChannelLeaveRequest {
  appId: string;
  ch: string;
  uid: string;
}

/** Ends the memberships a session holds (logout, remote login, reconnect window over). */
export interface ChannelLeaveSessionRequest {
  appId: string;
  uid: string;
  sessionId: string;
}

export interface ChannelMembersRequest {
  appId: string;
  ch: string;
  limit: number;
}

/** A page of members in uid order, after `after` (exclusive). */
export interface ChannelMembersPageRequest {
  appId: string;
  ch: string;
  limit: number;
  after?: string;
}

export interface ChannelMembersPage {
  members: string[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

export interface UserChannelsRequest {
  appId: string;
  uid: string;
}

export interface UserChannelsReply {
  channels: string[];
}

export interface ChannelCountsRequest {
  appId: string;
  chs: string[];
}
