/**
 * User and channel attributes on the wire (SDK ⇄ gateway) and between the gateway and the
 * attributes service (Subjects.attributes.*). Browser-safe.
 */

/** agora-rtm AttributesMap: key → value. */
export type AttributesMap = Record<string, string>;

/** One channel attribute as the SDK shows it (agora-rtm ChannelAttributes values). */
export interface ChannelAttributeValue {
  value: string;
  lastUpdateUserId: string;
  /** Unix ms of the write (server clock). */
  lastUpdateTs: number;
}
export type ChannelAttributesMap = Record<string, ChannelAttributeValue>;

/** Defaults of the published limits (each configurable in the attributes service). */
export const ATTRIBUTE_LIMITS = {
  KEY_MAX_BYTES: 32,
  VALUE_MAX_BYTES: 8192,
  USER_MAX_KEYS: 32,
  /** Sum of key and value bytes of one user's attributes, and of one call. */
  USER_MAX_BYTES: 16384,
  CHANNEL_MAX_KEYS: 32,
  CHANNEL_MAX_BYTES: 32768,
  /** Keys per get-by-keys / delete call. */
  KEYS_PER_CALL: 32,
} as const;

// ── wire: SDK → gateway ──────────────────────────────────────────────────────

/** Op.SET_USER_ATTRS / Op.ADD_USER_ATTRS → null */
export interface UserAttrsWriteArgs {
  attrs: AttributesMap;
}
/** Op.DELETE_USER_ATTRS → null */
export interface UserAttrsDeleteArgs {
  keys: string[];
}
/** Op.CLEAR_USER_ATTRS: args {} → null */

/** Op.GET_USER_ATTRS → AttributesMap (of any user of the app; {} when that user is not logged in). */
export interface UserAttrsGetArgs {
  uid: string;
  /** Only these keys (1–32); all when absent. */
  keys?: string[];
}

/** Op.SET_CHANNEL_ATTRS / Op.ADD_CHANNEL_ATTRS → null */
export interface ChannelAttrsWriteArgs {
  ch: string;
  attrs: AttributesMap;
  /** enableNotificationToChannelMembers */
  notify?: boolean;
}
/** Op.DELETE_CHANNEL_ATTRS → null */
export interface ChannelAttrsDeleteArgs {
  ch: string;
  keys: string[];
  notify?: boolean;
}
/** Op.CLEAR_CHANNEL_ATTRS → null */
export interface ChannelAttrsClearArgs {
  ch: string;
  notify?: boolean;
}
/** Op.GET_CHANNEL_ATTRS → ChannelAttributesMap (no membership needed). */
export interface ChannelAttrsGetArgs {
  ch: string;
  keys?: string[];
}

/**
 * Evt.CHANNEL_ATTRS data, pushed to every member of the channel after a write with notify: the full
 * attribute set after that write. `v` grows with every write of the channel's attributes.
 */
export interface ChannelAttrsEvent {
  ch: string;
  attrs: ChannelAttributesMap;
  v: number;
}
