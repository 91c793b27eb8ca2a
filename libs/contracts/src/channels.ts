/**
 * Channels on the wire (SDK ⇄ gateway), on NATS (gateway ⇄ gateway, channel service → gateways) and
 * between the gateway and the channel service. Browser-safe.
 */
import type { WireMessage } from './messages';

/** Op.JOIN */
export interface JoinArgs {
  ch: string;
  /**
   * Rejoin after a reconnect: the serverReceivedTs of the last channel message the SDK got (0 when
   * none). The gateway replays what the member missed (≤ 32, ≤ 30 s old) before answering, and
   * peers see no MemberJoined for a member that was away inside the reconnect window.
   */
  since?: number;
  /** Ids of messages the SDK already has at `since` (several may share one timestamp). */
  seen?: string[];
}

export interface JoinResult {
  /** Member count right after the join (the SDK emits MemberCountUpdated with it). */
  count: number;
  /** Server time of the join: a rejoin asks for messages after it when none arrived since. */
  ts?: number;
  /** For a rejoin: true when every missed message was replayed (none dropped by the 32 / 30 s limits). */
  recovered?: boolean;
}

/** Op.LEAVE */
export interface LeaveArgs {
  ch: string;
}

/** Op.SEND_CHANNEL */
export interface SendChannelArgs {
  ch: string;
  /** Unique per SDK instance, the same on resends: members drop duplicates. */
  id: string;
  m: WireMessage;
  /** enableHistoricalMessaging: keep in the message history (libs/contracts/src/history.ts). */
  hist?: boolean;
}

export interface SendChannelResult {
  ts: number;
}

/** Op.GET_MEMBERS */
export interface GetMembersArgs {
  ch: string;
}
export type GetMembersResult = string[];

/** Op.MEMBER_COUNT (getChannelMemberCount) */
export interface MemberCountArgs {
  chs: string[];
}
/** Counts in the order of the request's channel ids. */
export type MemberCountResult = number[];

/** Evt.CHANNEL_MESSAGE data (no ACK: a member that drops recovers from the channel's recent messages). */
export interface ChannelMessageEvent {
  ch: string;
  from: string;
  id: string;
  m: WireMessage;
  /** serverReceivedTs, ms */
  ts: number;
  /** Replayed after a rejoin. */
  rec?: boolean;
  /** On replayed messages: older missed messages could not be recovered (over 32, or older than 30 s). */
  lost?: boolean;
}

/**
 * Evt.CHANNEL_GAP data: the member's gateway lost its connection to the message bus (NATS) for a
 * while and could not recover, from the recovery stream, every channel message published meanwhile
 * (the stream was lost with a NATS restart, or the gap was longer or busier than it keeps). Those it
 * could recover were pushed before this event (flagged `rec` and `lost`).
 */
export interface ChannelGapEvent {
  ch: string;
  /** Messages with a later serverReceivedTs may be missing. */
  since: number;
}

/** Evt.MEMBER_JOINED / Evt.MEMBER_LEFT data */
export interface MemberEvent {
  ch: string;
  uid: string;
}

/** Evt.MEMBER_COUNT data */
export interface MemberCountEvent {
  ch: string;
  count: number;
  /** When the channel service published the count (its database clock, Unix ms). */
  ts?: number;
}
