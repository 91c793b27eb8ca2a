import type { HistoryItem, HistoryPage } from '../history';
import type { WireMessage } from '../messages';

/**
 * Message history (docs/architecture.md, "Message history"). Messages to store are captured by the
 * gateway and the server API on a file-backed JetStream work queue (HistorySubjects.capture) before
 * their sender is answered; apps/history (×N, one durable pull consumer) inserts them in batches into
 * the day-partitioned `history_messages` table and answers the queries below.
 */

/** A message to store (bus codec: msgpack; raw bytes stay bytes). */
export interface HistoryCapture {
  /** peer | channel */
  k: 'peer' | 'channel';
  appId: string;
  from: string;
  /** The receiver (peer) or the channel. */
  to: string;
  /** The sender's message id. */
  id: string;
  /** serverReceivedTs, Unix ms. */
  ts: number;
  m: WireMessage;
}

/** A stored message as the services hand it around: a client's HistoryItem plus its kind and destination. */
export interface HistoryRecord extends HistoryItem {
  k: 'peer' | 'channel';
  /** The receiver (peer) or the channel. */
  to: string;
}

/**
 * HistorySubjects.page → HistoryPageReply: one channel's messages, or one conversation's (both
 * directions between `a` and `b`), newest first, `after` ≤ ts < `before`. Who may read is decided by
 * the caller (the gateway: members and parties; the server API: the app's credentials).
 */
export interface HistoryPageRequest {
  appId: string;
  kind: 'peer' | 'channel';
  /** channel: the channel; peer: one party. */
  a: string;
  /** peer: the other party. */
  b?: string;
  /** Exclusive upper bound, Unix ms (absent: now). */
  before?: number;
  /** Inclusive lower bound, Unix ms (absent: the app's retention). */
  after?: number;
  /** 1–HISTORY_LIMITS.PAGE_MAX. */
  limit: number;
}

export interface HistoryPageReply extends HistoryPage {
  msgs: HistoryRecord[];
}

/**
 * Agora 1.x's history filter (§11): `source` = sender, `destination` = receiver or channel (a channel
 * only as destination). (none, A): all received by A; (A, none): all sent by A; (A, B): A → B;
 * (A, channel): A's messages to it. Times: Unix ms, start inclusive, end exclusive.
 */
export interface HistoryFilter {
  appId: string;
  source?: string;
  destination?: string;
  startMs: number;
  endMs: number;
}

/** HistorySubjects.query → HistoryQueryReply. */
export interface HistoryQueryRequest extends HistoryFilter {
  offset: number;
  /** 20, 50 or 100 */
  limit: number;
  order: 'asc' | 'desc';
  /** Agora 1.x stores text only: true returns TEXT messages only. */
  textOnly?: boolean;
}

export interface HistoryQueryReply {
  msgs: HistoryRecord[];
}

/** HistorySubjects.count → HistoryCountReply. */
export interface HistoryCountRequest extends HistoryFilter {
  textOnly?: boolean;
}

export interface HistoryCountReply {
  count: number;
}
