import type { MediaType } from '../media';

// ── gateway → media service ──────────────────────────────────────────────────

/** Subjects.media.begin (queue group) → MediaBeginReply: the replica that takes the upload. */
export interface MediaBeginRequest {
  appId: string;
  uid: string;
  size: number;
  name: string;
  type: MediaType;
}
export interface MediaBeginReply {
  uploadId: string;
  /** Subject of that replica's uploads: MediaUploadMessage requests go there. */
  subject: string;
}

/**
 * Requests on a replica's upload subject (MessagePack in the platform's ServiceReply envelope):
 * CHUNK → null when written; END → MediaInfo; CANCEL → null.
 */
export const MediaUploadKind = { CHUNK: 1, END: 2, CANCEL: 3 } as const;
export type MediaUploadKind = (typeof MediaUploadKind)[keyof typeof MediaUploadKind];
export interface MediaUploadMessage {
  kind: MediaUploadKind;
  uploadId: string;
  /** The uploading user's app (checked against the upload's). */
  appId: string;
  seq?: number;
  data?: Uint8Array;
}

/** Subjects.media.info → MediaInfo */
export interface MediaInfoRequest {
  appId: string;
  mediaId: string;
}
/** Subjects.media.read → Uint8Array */
export interface MediaReadRequest {
  appId: string;
  mediaId: string;
  offset: number;
  length: number;
}
