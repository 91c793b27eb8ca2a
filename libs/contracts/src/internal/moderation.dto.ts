/** Kicks and bans (the server API → presence and the channel service; presence / channel → gateways). */

/** The longest ban: a year. */
export const BAN_SECONDS_MAX = 31_536_000;
/** The longest kick reason (kept with the ban for operators). */
export const KICK_REASON_MAX = 256;

/** Patterns.presence.kick: ends every session of the uid; banSeconds > 0 also refuses its logins that long. */
export interface KickUserRequest {
  appId: string;
  uid: string;
  /** 0 (only the kick) … BAN_SECONDS_MAX. A ban replaces the uid's previous one. */
  banSeconds: number;
  reason?: string;
}

export interface KickUserReply {
  /** The uid had a session in the registry (it is OFFLINE now). */
  kicked: boolean;
  /** Unix ms when the uid's login ban ends; null when it has none. */
  until: number | null;
}

/** Patterns.presence.ban / liftBan. */
export interface UserBanRequest {
  appId: string;
  uid: string;
}

export interface UserBanReply {
  /** Unix ms when the ban ends; null when the uid is not banned (an expired ban is none). */
  until: number | null;
}

export interface BanLiftReply {
  /** An active ban was lifted. */
  lifted: boolean;
}

/** Body of a UserMsgKind.BANNED message on the user subject. */
export interface BannedMessage {
  /** Sessions with a lower epoch (registered before the kick) end. */
  epoch: number;
}

/** Patterns.channel.ban: removes the uid from the channel now and refuses its joins for `seconds`. */
export interface ChannelBanRequest {
  appId: string;
  ch: string;
  uid: string;
  /** 1 … BAN_SECONDS_MAX. A ban replaces the uid's previous one in the channel. */
  seconds: number;
}

export interface ChannelBanReply {
  /** The uid was a member and was removed (its peers got MemberLeft). */
  removed: boolean;
  /** Unix ms when the ban ends. */
  until: number;
}

/** Patterns.channel.liftBan */
export interface ChannelBanLiftRequest {
  appId: string;
  ch: string;
  uid: string;
}

/** Patterns.channel.bans: active bans in uid order, after `after` (exclusive). */
export interface ChannelBansRequest {
  appId: string;
  ch: string;
  limit: number;
  after?: string;
}

export interface ChannelBansPage {
  bans: { uid: string; until: number }[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/** Body of a UserMsgKind.CHANNEL_BANNED message on the user subject. */
export interface ChannelBannedMessage {
  ch: string;
}
