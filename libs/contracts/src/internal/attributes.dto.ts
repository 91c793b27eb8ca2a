import type { AttributesMap } from '../attributes';

// ── gateway → attributes service ─────────────────────────────────────────────

export const UserAttrsOp = { SET: 'set', ADD: 'add', DELETE: 'delete', CLEAR: 'clear' } as const;
export type UserAttrsOp = (typeof UserAttrsOp)[keyof typeof UserAttrsOp];

/**
 * Subjects.attributes.userWrite → null. The writer is the session (app, uid, instanceId), or the
 * server API writing for the user's current login (no instanceId).
 */
export interface UserAttrsWriteRequest {
  appId: string;
  uid: string;
  /**
   * The SDK instance of the session: the set belongs to this login. Absent (the server API): the
   * user's current login, taken from the session registry in the write's transaction;
   * USER_NOT_FOUND when the user has no session.
   */
  instanceId?: string;
  op: UserAttrsOp;
  /** SET / ADD */
  attrs?: AttributesMap;
  /** DELETE */
  keys?: string[];
}

/** Subjects.attributes.userGet → AttributesMap */
export interface UserAttrsGetRequest {
  appId: string;
  uid: string;
  keys?: string[];
}

/** Subjects.attributes.userGone → {removed}: the login ended (logout, reconnect window over). */
export interface UserAttrsGoneRequest {
  appId: string;
  uid: string;
  instanceId: string;
}

/** Subjects.attributes.channelWrite → null. Published to members as ChanMsgKind.ATTRIBUTES when notify. */
export interface ChannelAttrsWriteRequest {
  appId: string;
  ch: string;
  /** The writer (lastUpdateUserId). */
  uid: string;
  op: UserAttrsOp;
  attrs?: AttributesMap;
  keys?: string[];
  notify?: boolean;
}

/** Subjects.attributes.channelGet → ChannelAttributesMap */
export interface ChannelAttrsGetRequest {
  appId: string;
  ch: string;
  keys?: string[];
}
