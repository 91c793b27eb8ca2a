import { ErrorCode, ParleyError } from '../errors';
import type { MetadataItemData } from '../metadata';

/**
 * The event record's pull queues (Agora's user_events / channel_events): each take returns events
 * oldest first and removes them from the queue. Keys are Agora's JSON keys, returned as they are.
 */
export interface EventsTakeRequest {
  appId: string;
  /** At most this many (the service caps it at EVENTS_TAKE_MAX). */
  max?: number;
}

export interface UserEvent {
  user_id: string;
  type: 'Login' | 'Logout';
  /** When it happened, Unix ms. */
  ts: number;
}

export interface ChannelEvent {
  channel_id: string;
  user_id: string;
  type: 'Join' | 'Leave';
  ts: number;
}

export interface UserEventsTakeReply {
  events: UserEvent[];
}

export interface ChannelEventsTakeReply {
  events: ChannelEvent[];
}

/** The consumer whose cursor is Agora's pull queue (GET …/rtm/vendor/user_events, …/channel_events). */
export const PULL_CONSUMER = 'pull';

/** How many events a take returns: what the caller asked for (a whole number ≥ 1), at most `cap`. */
export function takeSize(max: unknown, cap: number): number {
  if (max === undefined || max === null) return cap;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'max: a whole number ≥ 1');
  return Math.min(max, cap);
}

/**
 * `app_events.detail` (docs/architecture.md, "Event record"): what the webhooks report beyond an
 * event's kind and type. Written as JSON by the statement that records the event.
 */
/** Why a session really ended (a user Logout): the SDK's logout, a login elsewhere, the reconnect window running out, a kick. */
export const LOGOUT_REASONS = ['logout', 'remote_login', 'timeout', 'kicked'] as const;
export type LogoutReason = (typeof LOGOUT_REASONS)[number];

export interface LogoutDetail {
  reason: LogoutReason;
}

/** A channel Join or Leave: the channel's member count right after it (1 after a Join: occupied; 0 after a Leave: vacated). */
export interface MembershipDetail {
  count: number;
}

/** An invitation that ended (kind `invite`, type `Ended`; the row's uid is the caller, channel_id the invitation's channel or null). */
export interface InviteEndedDetail {
  id: string;
  callee: string;
  /** The terminal state: ACCEPTED, REFUSED, CANCELED or FAILED. */
  outcome: string;
  /** For FAILED: the InvitationFailure (PEER_OFFLINE, PEER_NO_RESPONSE, INVITATION_EXPIRE, …). */
  reason?: string;
}

/**
 * A metadata write (kind `metadata`, type `User` or `Channel`; the row's uid is the user whose set it
 * is, or for a channel's set the writer; channel_id the channel): the set's new majorRevision, the
 * items the write left with that revision (value, revision, updateTs, authorUserId) and the keys it
 * removed. A refused write records nothing.
 */
export interface MetadataChangedDetail {
  /** set | add | update | delete | clear */
  op: string;
  majorRevision: number;
  /** Who wrote (a user, or the server API's caller as the request named). */
  author: string;
  items: MetadataItemData[];
  deleted: string[];
}

/** A file or image stored (kind `media`, type `Uploaded`; the row's uid is the uploader). */
export interface MediaUploadedDetail {
  id: string;
  size: number;
  /** FILE or IMAGE */
  type: string;
  name: string;
  contentType: string;
  width: number;
  height: number;
}
