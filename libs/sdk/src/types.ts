/**
 * Public data types of agora-rtm-sdk 1.6.0 (plus the 1.4.5 media / offline-message types),
 * re-declared for Parley with the same names and shapes (spec §3).
 */
import type { PeerOnlineState } from './enums';
import type { RtmMetadataItem } from './metadata-item';

/** Log categories switched by `RtmConfig.logFilter` (see the AgoraRTM.LOG_FILTER_* constants). */
export type LogFilterType = {
  error: boolean;
  warn: boolean;
  info: boolean;
  track: boolean;
  debug: boolean;
};

export interface RtmConfig {
  /** Accepted for compatibility; Parley uploads no logs. */
  enableLogUpload?: boolean;
  /** Default AgoraRTM.LOG_FILTER_INFO. */
  logFilter?: LogFilterType;
  /** Accepted for compatibility; Parley connects to the configured server URL(s) only. */
  enableCloudProxy?: boolean;
  /**
   * Parley: WebSocket URL(s) of the Parley gateway(s), e.g. `wss://rtm.example.com` (the path
   * defaults to `/v1/ws`). A list is a failover order. Overrides `AgoraRTM.setServerUrl()`.
   */
  serverUrl?: string | string[];
}

export interface RtmTextMessage {
  /** At most 32 KB (UTF-8 bytes). */
  text: string;
  messageType?: 'TEXT';
  /** @hidden */
  rawMessage?: never;
  /** @hidden */
  description?: never;
}

export interface RtmRawMessage {
  /** Raw payload; with `description` at most 32 KB. */
  rawMessage: Uint8Array;
  description?: string;
  messageType?: 'RAW';
  /** @hidden */
  text?: never;
}

/** Image message (agora-rtm-sdk ≤ 1.4.5), made by `createMediaMessageByUploading` or `createMessage`. */
export interface RtmImageMessage {
  width: number;
  height: number;
  fileName: string;
  description: string;
  /** Received messages: a Blob (its bytes, typed as Blob, where the platform has no Blob). */
  thumbnail: Blob | undefined;
  thumbnailWidth: number;
  thumbnailHeight: number;
  size: number;
  mediaId: string;
  messageType: 'IMAGE';
  /** @hidden Lets 1.6.0-style `({ text }) => …` listeners compile with media messages in the union. */
  text?: never;
  /** @hidden */
  rawMessage?: never;
}

/** File message (agora-rtm-sdk ≤ 1.4.5), made by `createMediaMessageByUploading` or `createMessage`. */
export interface RtmFileMessage {
  fileName: string;
  description: string;
  /** Received messages: a Blob (its bytes, typed as Blob, where the platform has no Blob). */
  thumbnail: Blob | undefined;
  size: number;
  mediaId: string;
  messageType: 'FILE';
  /** @hidden */
  text?: never;
  /** @hidden */
  rawMessage?: never;
}

export type RtmMessage = RtmTextMessage | RtmRawMessage | RtmFileMessage | RtmImageMessage;

/** Parley: what became of a peer message (`PeerMessageSendResult.deliveryState`). */
export type PeerMessageDeliveryState = 'RECEIVED' | 'PEER_UNREACHABLE' | 'CACHED_BY_SERVER';

export interface PeerMessageSendResult {
  /** false: the server accepted the message but the peer is offline. */
  hasPeerReceived: boolean;
  /**
   * Parley addition, always set by Parley: `RECEIVED` (the peer's session took it; hasPeerReceived
   * true), `PEER_UNREACHABLE` (the peer is offline; dropped), `CACHED_BY_SERVER` (the peer is
   * offline; stored for its next login, with `enableOfflineMessaging`). Optional in the type so
   * agora-rtm-sdk code that builds a PeerMessageSendResult still compiles.
   */
  deliveryState?: PeerMessageDeliveryState;
}

/** Optional 3rd argument of sendMessageToPeer / 2nd of RtmChannel.sendMessage (agora-rtm-sdk ≤ 1.4.5). */
export interface SendMessageOptions {
  /** Peer messages: store the message for the peer when it is offline (channel messages: ignored). */
  enableOfflineMessaging?: boolean;
  /**
   * Keep the message in the server's message history (the app's retention, 7 days by default),
   * where `RtmChannel.getHistory` / `RtmClient.getPeerHistory` (Parley) and the history REST
   * endpoints find it. A private beta at Agora; Parley stores it. The send resolves once the message
   * is delivered and durably queued for the history.
   */
  enableHistoricalMessaging?: boolean;
}

/**
 * Parley (an addition beyond agora-rtm-sdk 1.x): options of `RtmChannel.getHistory` and
 * `RtmClient.getPeerHistory`. Pages go from the newest message back.
 */
export interface RtmHistoryOptions {
  /**
   * Only messages received by the server before this time (Unix ms, exclusive; a non-negative
   * integer): pass the previous page's `nextBefore` for the next older page. Default: now.
   */
  before?: number;
  /** Messages per page, 1–100. Default 20. */
  limit?: number;
}

/** Parley: one message of a history page. */
export interface RtmHistoryMessage {
  /** The message as `MessageFromPeer` / `ChannelMessage` give it (text, raw, file or image, with messageType). */
  message: RtmMessage;
  /** Who sent it: a channel's member (the `memberId` of ChannelMessage); in a conversation, the peer or the local user. */
  senderId: string;
  /** Server receive time, Unix ms (as `ReceivedMessageProperties.serverReceivedTs`). */
  serverReceivedTs: number;
}

/** Parley: a page of `RtmChannel.getHistory` / `RtmClient.getPeerHistory`, newest first. */
export interface RtmHistoryPage {
  messages: RtmHistoryMessage[];
  /** Older messages exist: ask for them with `{ before: nextBefore }`. */
  hasMore: boolean;
  /**
   * The `before` of the next older page (the oldest `serverReceivedTs` of this page; a page never
   * ends in the middle of one millisecond, so nothing is skipped or repeated). Set when `hasMore`.
   */
  nextBefore?: number;
}

export interface ReceivedMessageProperties {
  /** Server receive time, Unix ms. */
  serverReceivedTs: number;
  /** True for a peer message stored while the receiver was offline (agora-rtm-sdk ≤ 1.4.5). */
  isOfflineMessage?: boolean;
  /**
   * Parley, channel messages: true for a message sent while this client was reconnecting and
   * replayed when it rejoined the channel (absent on live messages).
   */
  isRecovered?: boolean;
  /**
   * Parley, on recovered channel messages only: false when older missed messages could not be
   * recovered (the server keeps at most the last 32, for 30 s).
   */
  recoveryComplete?: boolean;
}

/**
 * Parley, RtmChannel `RecoveryIncomplete`: channel messages sent after `sinceTs` may be missing and
 * could not be recovered (the server keeps at most the last 32 for 30 s, and loses them when its
 * message bus restarts). Those it could recover were emitted as ChannelMessage with
 * `isRecovered: true, recoveryComplete: false`. Apps with their own message history can fetch
 * what came after `sinceTs` from it.
 */
export interface RecoveryIncompleteInfo {
  /** serverReceivedTs (Unix ms) after which messages may be missing. */
  sinceTs: number;
}

export interface AttributesMap {
  [key: string]: string;
}

export interface ChannelAttributeProperties {
  value: string;
  lastUpdateUserId: string;
  lastUpdateTs: number;
}

export interface ChannelAttributes {
  [key: string]: ChannelAttributeProperties;
}

export interface ChannelAttributeOptions {
  /** Notify channel members with AttributesUpdated (this call only). Default false. */
  enableNotificationToChannelMembers?: boolean;
}

/** Event payload of PeersOnlineStatusChanged. */
export interface PeersOnlineStatusMap {
  [peerId: string]: PeerOnlineState;
}

/** Result of queryPeersOnlineStatus: true = online (UNREACHABLE counts as online). */
export interface PeersOnlineStatusResult {
  [peerId: string]: boolean;
}

export interface ChannelMemberCountResult {
  [channelId: string]: number;
}

export interface MediaOperationProgress {
  /** Bytes moved so far (upload: taken by the server; download: received). */
  currentSize: number;
  totalSize: number;
}

/** 3rd argument of createMediaMessageByUploading / 2nd of downloadMedia (agora-rtm-sdk ≤ 1.4.5). */
export interface MediaTransferHandler {
  /** Aborting it cancels the transfer at any time: the call rejects with code 6 (CANCELED). */
  cancelSignal?: AbortSignal;
  /** About once per second while bytes move; silent while the transfer stalls. */
  onOperationProgress?: (event: MediaOperationProgress) => void;
  /** Parley: an id for cancelMediaUpload / cancelMediaDownload (unique among this client's transfers in flight). */
  requestId?: string;
}

/**
 * Parley: what can be uploaded. agora-rtm-sdk 1.4.5 took a Blob (a File is one); Parley also takes
 * bytes and, in Node, a file path or a readable stream (whose size must be given as `size`,
 * unless it is a file stream with a `path`).
 */
export type MediaUploadPayload = Blob | ArrayBuffer | ArrayBufferView | string | AsyncIterable<Uint8Array | string>;

/** Thumbnail of a file or image message: a Blob (agora) or its bytes (Parley). */
export type MediaThumbnail = Blob | Uint8Array;

/** 2nd argument of createMediaMessageByUploading for a file message. */
export interface FileMessageUploadParams {
  /** Default: the File's name, or the file path's last segment, else ''. */
  fileName?: string;
  description?: string;
  /** description + fileName + thumbnail ≤ 32 KB. */
  thumbnail?: MediaThumbnail | undefined;
  messageType?: 'FILE';
  /** Parley: the byte size of a stream payload (other payloads know theirs). */
  size?: number;
}

/** 2nd argument of createMediaMessageByUploading for an image message. */
export interface ImageMessageUploadParams {
  /** Default: computed by the server for JPEG, PNG, BMP and GIF (else 0). */
  width?: number;
  height?: number;
  fileName?: string;
  description?: string;
  thumbnail?: MediaThumbnail | undefined;
  thumbnailWidth?: number | undefined;
  thumbnailHeight?: number | undefined;
  messageType?: 'IMAGE';
  /** Parley: the byte size of a stream payload (other payloads know theirs). */
  size?: number;
}

/** Options of the native-style createFileMessageByUploading (agora RTM 1.3 native API names). */
export interface FileMessageUploadOptions extends Omit<FileMessageUploadParams, 'messageType'>, MediaTransferHandler {}

/** Options of the native-style createImageMessageByUploading. */
export interface ImageMessageUploadOptions extends Omit<ImageMessageUploadParams, 'messageType'>, MediaTransferHandler {}

/** Options of downloadMediaToMemory / downloadMediaToFile. */
export type MediaDownloadOptions = MediaTransferHandler;

/** User or channel metadata (agora-rtm-sdk 1.6.0). */
export interface RtmMetadata {
  items: RtmMetadataItem[];
  majorRevision: number;
}

export interface RtmMetadataOptions {
  /** Compare-and-set on the whole set; -1 (default) = no check. */
  majorRevision?: number;
  enableRecordTs?: boolean;
  enableRecordUserId?: boolean;
}

/** Argument of AgoraRTM.setArea. */
export interface AreaConfig {
  areaCodes: import('./enums').AreaCode[];
  excludedArea?: import('./enums').AreaCode;
}
