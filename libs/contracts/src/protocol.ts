/**
 * Parley wire protocol v1 between the SDK and a gateway (docs/protocol.md is the prose version).
 * Browser-safe: no Node APIs here. Every WebSocket message is one binary MessagePack value.
 *
 *   client → server  [Frame.REQ, id, Op.X, args]         request; id is a positive int unique per socket
 *   server → client  [Frame.RES, id, 0, result]          success
 *                    [Frame.RES, id, ErrorCode.X, {message, retryAfterMs?}]   failure
 *                    [Frame.EVT, Evt.X, data]            push event
 *                    [Frame.EVT, Evt.X, data, ackId]     push that the client must [Frame.ACK, ackId]
 *   either way       [Frame.PING, ts] → [Frame.PONG, ts]
 *                    [Frame.BATCH, frame, frame, ...]    several frames in one WebSocket message
 *   server → client  [Frame.HELLO, Hello]                first message after the socket opens
 */
export const PROTOCOL_VERSION = 1;
export const WS_PATH = '/v1/ws';

export const Frame = {
  BATCH: 0,
  HELLO: 1,
  REQ: 2,
  RES: 3,
  EVT: 4,
  ACK: 5,
  PING: 6,
  PONG: 7,
} as const;
export type Frame = (typeof Frame)[keyof typeof Frame];

/** Request operations. Numbers are stable wire values: append, never renumber. */
export const Op = {
  LOGIN: 1,
  LOGOUT: 2,
  RENEW_TOKEN: 3,
  QUERY_ONLINE: 4,
  // issue 3+: peer messages
  SEND_PEER: 10,
  // channels
  JOIN: 20,
  LEAVE: 21,
  SEND_CHANNEL: 22,
  GET_MEMBERS: 23,
  MEMBER_COUNT: 24,
  // attributes
  SET_USER_ATTRS: 30,
  ADD_USER_ATTRS: 31,
  DELETE_USER_ATTRS: 32,
  CLEAR_USER_ATTRS: 33,
  GET_USER_ATTRS: 34,
  SET_CHANNEL_ATTRS: 35,
  ADD_CHANNEL_ATTRS: 36,
  DELETE_CHANNEL_ATTRS: 37,
  CLEAR_CHANNEL_ATTRS: 38,
  GET_CHANNEL_ATTRS: 39,
  // online status subscriptions
  SUBSCRIBE_STATUS: 40,
  UNSUBSCRIBE_STATUS: 41,
  QUERY_SUBSCRIBED: 42,
  // invitations
  INVITE: 50,
  INVITE_CANCEL: 51,
  INVITE_ACCEPT: 52,
  INVITE_REFUSE: 53,
  // files and images (libs/contracts/src/media.ts)
  MEDIA_UPLOAD_BEGIN: 60,
  MEDIA_UPLOAD_CHUNK: 61,
  MEDIA_UPLOAD_END: 62,
  MEDIA_CANCEL: 63,
  MEDIA_INFO: 64,
  MEDIA_READ: 65,
  // user metadata (libs/contracts/src/metadata.ts)
  SET_USER_METADATA: 70,
  ADD_USER_METADATA: 71,
  UPDATE_USER_METADATA: 72,
  DELETE_USER_METADATA: 73,
  CLEAR_USER_METADATA: 74,
  GET_USER_METADATA: 75,
  SUBSCRIBE_USER_METADATA: 76,
  UNSUBSCRIBE_USER_METADATA: 77,
  // channel metadata
  SET_CHANNEL_METADATA: 80,
  ADD_CHANNEL_METADATA: 81,
  UPDATE_CHANNEL_METADATA: 82,
  DELETE_CHANNEL_METADATA: 83,
  CLEAR_CHANNEL_METADATA: 84,
  GET_CHANNEL_METADATA: 85,
  // message history (libs/contracts/src/history.ts)
  GET_CHANNEL_HISTORY: 90,
  GET_PEER_HISTORY: 91,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k.toLowerCase()]));
/** "login", "query_online", … (span and metric names). */
export function opName(op: number): string {
  return OP_NAMES[op] ?? `op_${op}`;
}

/** Server push events. */
export const Evt = {
  /** The server ends this session: data = DropEvent; the socket closes right after. */
  DROP: 1,
  TOKEN_WILL_EXPIRE: 2,
  TOKEN_EXPIRED: 3,
  /** The gateway is draining: reconnect (to another gateway) now; the session is kept. */
  RECONNECT: 4,
  PEER_MESSAGE: 10,
  CHANNEL_MESSAGE: 20,
  MEMBER_JOINED: 21,
  MEMBER_LEFT: 22,
  MEMBER_COUNT: 23,
  CHANNEL_ATTRS: 24,
  /** Channel messages may have been missed and could not be recovered: ChannelGapEvent (channels.ts). */
  CHANNEL_GAP: 25,
  /** The whole metadata of a joined channel after a write: ChannelMetadataEvent (metadata.ts). */
  CHANNEL_METADATA: 26,
  PEER_STATUS: 40,
  INVITATION: 50,
  /** The whole metadata of a user this session subscribed to, after a write: UserMetadataEvent (metadata.ts). */
  USER_METADATA: 60,
} as const;
export type Evt = (typeof Evt)[keyof typeof Evt];

export interface Hello {
  v: number;
  /** Gateway replica id (diagnostics). */
  gw: string;
  /** The client sends a PING when it sent nothing for this long; the server drops a silent socket after 2× + 1 s. */
  heartbeatMs: number;
  /** Largest WebSocket message the server accepts, bytes. */
  maxFrameBytes: number;
  serverTs: number;
}

export interface LoginArgs {
  appId: string;
  uid: string;
  token?: string;
  /** Random id of the RtmClient instance; a re-login by the same instance is a resume, not a remote login. */
  instanceId: string;
  /** True when the SDK logs in again after a lost connection (RECONNECTING). */
  reconnect?: boolean;
  sdk?: string;
}

export interface LoginResult {
  sessionId: string;
  serverTs: number;
  /** Unix ms when the login privilege ends; 0 = never (static app). */
  tokenExpiresAt: number;
}

export interface RenewTokenArgs {
  token: string;
}
export interface RenewTokenResult {
  tokenExpiresAt: number;
}

export interface QueryOnlineArgs {
  uids: string[];
}
/** Booleans in the order of the request's uids. */
export type QueryOnlineResult = boolean[];

export const DropReason = {
  REMOTE_LOGIN: 'REMOTE_LOGIN',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  BANNED_BY_SERVER: 'BANNED_BY_SERVER',
  /** Replaced by a newer connection of the same client instance. */
  REPLACED: 'REPLACED',
  INTERRUPTED: 'INTERRUPTED',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

export interface DropEvent {
  reason: DropReason;
}

export interface TokenWillExpireEvent {
  expiresAt: number;
}

/** WebSocket close codes the gateway uses (4000–4999 are application codes). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  TOO_BIG: 1009,
  DROPPED: 4001,
  HEARTBEAT_TIMEOUT: 4002,
  SLOW_CONSUMER: 4003,
  DRAINING: 4004,
  /** The socket did not log in within the gateway's LOGIN_TIMEOUT_MS. */
  LOGIN_TIMEOUT: 4005,
} as const;
