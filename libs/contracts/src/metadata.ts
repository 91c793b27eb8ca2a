/**
 * User and channel metadata (agora-rtm-sdk 1.6.0) on the wire (SDK ⇄ gateway). Browser-safe.
 *
 * A metadata set (one per user, one per channel) holds items `key → value`. Every successful write
 * gives the set a new `majorRevision` and every item it writes that same number as its `revision`:
 * both only grow. A write naming `majorRevision ≥ 0` (or an item `revision ≥ 0`) succeeds only while
 * it still matches — compare-and-set; -1 means no check. A set never written has majorRevision 0, a
 * key that does not exist revision 0.
 */

/** Defaults of the limits (each configurable in the attributes service; the SDK checks these). */
export const METADATA_LIMITS = {
  /** A key: 1–32 characters of the uid charset without "_", not "null". */
  KEY_MAX_BYTES: 32,
  VALUE_MAX_BYTES: 8192,
  USER_MAX_ITEMS: 32,
  /** Sum of key and value bytes of one user's metadata, and of one call. */
  USER_MAX_BYTES: 16384,
  CHANNEL_MAX_ITEMS: 32,
  CHANNEL_MAX_BYTES: 32768,
  /** Items one call may name. */
  ITEMS_PER_CALL: 32,
  /** Users one session may subscribe to the metadata of. */
  MAX_SUBSCRIBED: 100,
} as const;

/** The uid charset of spec §7.1 without "_" (agora-rtm-sdk 1.6.0 treats "_" keys as reserved). */
const KEY_PATTERN = /^[ !#$%&()+,.:;<=>?@[\]^{|}~0-9A-Za-z-]+$/;

/** A metadata key: 1–`maxBytes` characters of the uid charset without "_", no leading space, not "null". */
export function isMetadataKey(value: unknown, maxBytes: number = METADATA_LIMITS.KEY_MAX_BYTES): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxBytes && value !== 'null' && value[0] !== ' ' && KEY_PATTERN.test(value);
}

/** Revisions named by a write: -1 = no check, else the value it must still have. */
export const NO_REVISION_CHECK = -1;

// ── wire: SDK → gateway ──────────────────────────────────────────────────────

/** One item of a write. `value` is ignored by deletes; `revision` ≥ 0 is a compare-and-set on the key. */
export interface MetadataItemArgs {
  key: string;
  value?: string;
  revision?: number;
}

/** RtmMetadataOptions on the wire. */
export interface MetadataOptionsArgs {
  /** ≥ 0: the set's majorRevision must still be this; -1 / absent: no check. */
  majorRevision?: number;
  /** enableRecordTs: written items get the server's time as updateTs (else 0). */
  recordTs?: boolean;
  /** enableRecordUserId: written items get the writer as authorUserId (else ''). */
  recordUserId?: boolean;
}

/** Op.SET/ADD/UPDATE/DELETE_USER_METADATA → MetadataWriteResult (the local user's set). */
export interface UserMetadataWriteArgs extends MetadataOptionsArgs {
  items: MetadataItemArgs[];
}
/** Op.CLEAR_USER_METADATA → MetadataWriteResult */
export type UserMetadataClearArgs = MetadataOptionsArgs;
/** Op.GET_USER_METADATA → MetadataData (any user of the app). */
export interface UserMetadataTargetArgs {
  uid: string;
}
/**
 * Op.SUBSCRIBE_USER_METADATA → MetadataData[] (each user's current set, in the order of `uids`);
 * Op.UNSUBSCRIBE_USER_METADATA → null. A list, so that a resumed client subscribes again in one call.
 */
export interface UserMetadataSubscribeArgs {
  uids: string[];
}

/** Op.SET/ADD/UPDATE/DELETE_CHANNEL_METADATA → MetadataWriteResult (the session must have joined `ch`). */
export interface ChannelMetadataWriteArgs extends MetadataOptionsArgs {
  ch: string;
  items: MetadataItemArgs[];
}
/** Op.CLEAR_CHANNEL_METADATA → MetadataWriteResult */
export interface ChannelMetadataClearArgs extends MetadataOptionsArgs {
  ch: string;
}
/** Op.GET_CHANNEL_METADATA → MetadataData */
export interface ChannelMetadataGetArgs {
  ch: string;
}

export interface MetadataWriteResult {
  /** The set's majorRevision after the write. */
  majorRevision: number;
}

// ── wire: answers and events ─────────────────────────────────────────────────

export interface MetadataItemData {
  key: string;
  value: string;
  revision: number;
  /** Unix ms of the item's last write (server clock) when it was written with recordTs, else 0. */
  updateTs: number;
  /** The item's last writer when it was written with recordUserId, else ''. */
  authorUserId: string;
}

/** A whole set: its items in key order and its majorRevision (0: never written). */
export interface MetadataData {
  items: MetadataItemData[];
  majorRevision: number;
}

/** Evt.USER_METADATA data: a subscribed user's set after a write (drop one whose majorRevision is not above the last). */
export interface UserMetadataEvent {
  uid: string;
  md: MetadataData;
}

/** Evt.CHANNEL_METADATA data: a joined channel's set after a write (same rule). */
export interface ChannelMetadataEvent {
  ch: string;
  md: MetadataData;
}
