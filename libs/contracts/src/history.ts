import type { WireMessage } from './messages';

/**
 * Message history (docs/architecture.md, "Message history"; docs/protocol.md §14). Messages sent
 * with enableHistoricalMessaging (or every message of an app that stores all) are kept for the
 * app's retention; clients page back through a channel they are a member of, or a conversation they
 * are a party of. A Parley addition beyond agora-rtm-sdk 1.x (whose history is server-side only).
 */
export const HISTORY_LIMITS = {
  /** Messages one SDK or v2 page returns at most (and by default). */
  PAGE_MAX: 100,
  PAGE_DEFAULT: 20,
} as const;

/** Op.GET_CHANNEL_HISTORY arguments: the channel's messages older than `before` (Unix ms), newest first. */
export interface ChannelHistoryArgs {
  ch: string;
  /** Exclusive; absent: from now. */
  before?: number;
  /** 1–PAGE_MAX; absent: PAGE_DEFAULT. */
  limit?: number;
}

/** Op.GET_PEER_HISTORY arguments: the conversation between the caller and `peer` (both directions). */
export interface PeerHistoryArgs {
  peer: string;
  before?: number;
  limit?: number;
}

/** One stored message as a client gets it back. */
export interface HistoryItem {
  /** The sender. */
  from: string;
  /** Peer messages: the receiver (channel messages: absent). */
  to?: string;
  /** The sender's message id. */
  id: string;
  /** serverReceivedTs, Unix ms. */
  ts: number;
  m: WireMessage;
}

/**
 * A page, newest first. A page never ends in the middle of one millisecond, so `before` = the
 * oldest `ts` of this page continues exactly; `more` says whether older messages exist.
 */
export interface HistoryPage {
  msgs: HistoryItem[];
  more: boolean;
}
