/**
 * Files and images: upload and download through the gateway's WebSocket (SDK ⇄ gateway), the
 * gateway ⇄ media service subjects, and the media fields of FILE / IMAGE messages. Browser-safe.
 *
 * Upload: MEDIA_UPLOAD_BEGIN picks a media replica that owns the upload until its end; the SDK then
 * sends the bytes in order as MEDIA_UPLOAD_CHUNK requests (at most `window` unanswered at once, each
 * ≤ `chunkBytes`); the gateway forwards each to that replica, which writes it into the S3 upload
 * stream and answers when it was taken (backpressure end to end: nothing holds a whole file).
 * MEDIA_UPLOAD_END answers the stored media's info; MEDIA_CANCEL (or the session ending) aborts it
 * and leaves no object and no metadata. Download: MEDIA_INFO then MEDIA_READ ranges, from any replica.
 */

export const MEDIA_LIMITS = {
  /** Largest file, bytes (30 MB; configurable in the media service). */
  MAX_BYTES: 30 * 1024 * 1024,
  /** Bytes per upload chunk the SDK sends (fits the gateway's 64 KiB frame limit with headroom). */
  CHUNK_BYTES: 48 * 1024,
  /** Unanswered chunks the SDK may have in flight. */
  WINDOW: 8,
  /** Bytes per MEDIA_READ. */
  READ_BYTES: 256 * 1024,
  /** A FILE/IMAGE message's description + file name + thumbnail, bytes. */
  MESSAGE_MAX_BYTES: 32 * 1024,
} as const;

export const MediaType = { FILE: 'FILE', IMAGE: 'IMAGE' } as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** What the service knows of a stored media object. */
export interface MediaInfo {
  mediaId: string;
  size: number;
  /** File name given at upload ('' when none). */
  name: string;
  type: MediaType;
  /** Computed for JPEG, PNG, BMP and GIF images; 0 when unknown. */
  width: number;
  height: number;
  /** Unix ms after which the media is gone. */
  expiresAt: number;
}

// ── wire: SDK → gateway ──────────────────────────────────────────────────────

/** Op.MEDIA_UPLOAD_BEGIN → MediaUploadBeginResult. size 1..MAX_BYTES (0 → INVALID_ARGUMENT, over → SIZE_OVERFLOW). */
export interface MediaUploadBeginArgs {
  size: number;
  name?: string;
  type: MediaType;
}
export interface MediaUploadBeginResult {
  uploadId: string;
  chunkBytes: number;
  window: number;
}
/** Op.MEDIA_UPLOAD_CHUNK → null, once the bytes are taken. `seq` counts from 0; chunks must come in order. */
export interface MediaUploadChunkArgs {
  uploadId: string;
  seq: number;
  data: Uint8Array;
}
/** Op.MEDIA_UPLOAD_END → MediaInfo (after exactly `size` bytes). */
export interface MediaUploadEndArgs {
  uploadId: string;
}
/** Op.MEDIA_CANCEL → null: aborts an upload of this session (unknown ids are ignored). */
export interface MediaCancelArgs {
  uploadId: string;
}
/** Op.MEDIA_INFO → MediaInfo; unknown, expired or another app's media → MEDIA_NOT_FOUND. */
export interface MediaInfoArgs {
  mediaId: string;
}
/** Op.MEDIA_READ → Uint8Array of length min(length, READ_BYTES, size - offset). */
export interface MediaReadArgs {
  mediaId: string;
  offset: number;
  length: number;
}

// ── FILE / IMAGE messages ────────────────────────────────────────────────────

/** WireMessage.media of a FILE or IMAGE message (agora-rtm RtmFileMessage / RtmImageMessage fields). */
export interface WireMedia {
  id: string;
  size: number;
  name: string;
  /** Thumbnail bytes (≤ 32 KB together with name and description). */
  thumb?: Uint8Array;
  /** IMAGE */
  w?: number;
  h?: number;
  tw?: number;
  th?: number;
}
