import { ID_LIMITS, ErrorCode, MediaType, ParleyError, requireAppId, requireUid, type AppId, type MediaId, type Uid } from '@parley/contracts';
import { MediaUploadKind, type MediaBeginRequest, type MediaInfoRequest, type MediaReadRequest, type MediaUploadMessage } from '@parley/contracts/internal';

/** What a request to the media service may carry; every request passes through here first. */

/** Longest file name, in characters (the column is varchar(512)). */
export const NAME_MAX_CHARS = 512;
/** Media ids are 32 hex characters; anything else is unknown (the column holds up to 64). */
const MEDIA_ID_MAX_CHARS = ID_LIMITS.MEDIA_ID_MAX;
const UPLOAD_ID_MAX_CHARS = ID_LIMITS.UPLOAD_ID_MAX;

export interface CheckedBegin {
  appId: AppId;
  uid: Uid;
  size: number;
  name: string;
  type: MediaType;
}

export interface MediaRef {
  appId: AppId;
  mediaId: MediaId;
}

export interface CheckedRead extends MediaRef {
  offset: number;
  length: number;
}

const invalid = (message: string) => new ParleyError(ErrorCode.INVALID_ARGUMENT, message);

export function checkBegin(req: MediaBeginRequest, maxBytes: number): CheckedBegin {
  const appId = requireAppId(req?.appId);
  const uid = requireUid(req.uid);
  if (req.type !== MediaType.FILE && req.type !== MediaType.IMAGE) throw invalid('type must be FILE or IMAGE');
  const name = req.name ?? '';
  // Postgres text cannot hold NUL; the limit counts characters as the column does.
  if (typeof name !== 'string' || name.includes('\u0000') || [...name].length > NAME_MAX_CHARS) {
    throw invalid(`name must be a string of at most ${NAME_MAX_CHARS} characters`);
  }
  const size = req.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) throw invalid('size must be a positive integer');
  if (size > maxBytes) throw new ParleyError(ErrorCode.SIZE_OVERFLOW, `files are limited to ${maxBytes} bytes`);
  return { appId, uid, size, name, type: req.type };
}

export function checkMediaRef(req: MediaInfoRequest): MediaRef {
  const appId = requireAppId(req?.appId);
  const mediaId = req.mediaId;
  if (typeof mediaId !== 'string' || mediaId.length === 0 || mediaId.length > MEDIA_ID_MAX_CHARS) throw invalid('invalid media id');
  return { appId, mediaId: mediaId as MediaId };
}

export function checkRead(req: MediaReadRequest): CheckedRead {
  const ref = checkMediaRef(req);
  const { offset, length } = req;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalid('offset must be a non-negative integer');
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1) throw invalid('length must be a positive integer');
  return { ...ref, offset, length };
}

/**
 * The bytes a read returns: from `offset`, at most `length`, `maxBytes` and what the file holds
 * (MediaReadArgs: min(length, READ_BYTES, size - offset)). An offset at or past the end is invalid.
 */
export function readRange(read: CheckedRead, size: number, maxBytes: number): { offset: number; length: number } {
  if (read.offset >= size) throw invalid(`offset ${read.offset} is past the end (${size} bytes)`);
  return { offset: read.offset, length: Math.min(read.length, maxBytes, size - read.offset) };
}

/** An upload message's kind, upload id and app; the kind-specific fields are checked where they are used. */
export function checkUploadMessage(msg: MediaUploadMessage): MediaUploadMessage & { appId: AppId } {
  if (typeof msg !== 'object' || msg === null) throw invalid('malformed upload message');
  const appId = requireAppId(msg.appId);
  if (msg.kind !== MediaUploadKind.CHUNK && msg.kind !== MediaUploadKind.END && msg.kind !== MediaUploadKind.CANCEL) {
    throw invalid('unknown upload message kind');
  }
  if (typeof msg.uploadId !== 'string' || msg.uploadId.length === 0 || msg.uploadId.length > UPLOAD_ID_MAX_CHARS) {
    throw invalid('invalid upload id');
  }
  return { ...msg, appId };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  txt: 'text/plain',
  pdf: 'application/pdf',
  json: 'application/json',
  zip: 'application/zip',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

/** The object's Content-Type, from the file name's extension (the bytes are not known yet when the upload starts). */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
  // Own properties only: "constructor" or "__proto__" as an extension must not find Object's.
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext]! : 'application/octet-stream';
}
