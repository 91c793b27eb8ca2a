/**
 * FILE and IMAGE messages (agora-rtm-sdk ≤ 1.4.5 RtmFileMessage / RtmImageMessage) ⇄ WireMessage
 * with WireMedia (libs/contracts/src/media.ts).
 *
 * A message's thumbnail is a Blob, whose bytes can only be read asynchronously, while a send checks
 * and encodes its message synchronously. So the SDK remembers the bytes of every thumbnail Blob it
 * made or read (a Blob never changes): messages built by the SDK encode at once; a message the app
 * built around its own Blob has it read first (loadThumbnail), before the send's checks.
 */
import { MEDIA_LIMITS, MessageKind, utf8Length, type MediaType, type WireMedia, type WireMessage } from '@parley/contracts';
import type { RtmFileMessage, RtmImageMessage } from '../types';
import { isBlobLike } from './media-payload';

/** Bytes of thumbnail Blobs made or read by the SDK. */
const thumbnailBytes = new WeakMap<object, Uint8Array>();

export type MediaMessage = RtmFileMessage | RtmImageMessage;

export type MediaEncodeResult = { ok: true; wire: WireMessage } | { ok: false; problem: 'INVALID_MESSAGE' | 'INCOMPATIBLE_MESSAGE' | 'TOO_LARGE'; why: string };

/** The thumbnail a message gets: a Blob of `bytes` (bytes remembered), or the bytes where there is no Blob. */
export function thumbnailOf(bytes: Uint8Array | undefined): Blob | undefined {
  if (!bytes) return undefined;
  const copy = new Uint8Array(bytes);
  if (typeof Blob === 'undefined') return copy as unknown as Blob; // documented: bytes where Blob does not exist
  const blob = new Blob([copy]);
  thumbnailBytes.set(blob, copy);
  return blob;
}

/** Size of a thumbnail without reading it: a Blob's size, or bytes' length; undefined when not a thumbnail. */
export function thumbnailSize(thumbnail: unknown): number | undefined {
  if (thumbnail === undefined || thumbnail === null) return 0;
  if (thumbnail instanceof Uint8Array) return thumbnail.byteLength;
  if (isBlobLike(thumbnail)) return thumbnail.size;
  return undefined;
}

/** The bytes of a thumbnail (Blob or bytes), read and remembered. */
export async function readThumbnail(thumbnail: unknown): Promise<Uint8Array | undefined> {
  if (thumbnail === undefined || thumbnail === null) return undefined;
  if (thumbnail instanceof Uint8Array) return new Uint8Array(thumbnail);
  if (!isBlobLike(thumbnail)) return undefined;
  const known = thumbnailBytes.get(thumbnail);
  if (known) return known;
  const bytes = new Uint8Array(await thumbnail.slice(0, thumbnail.size).arrayBuffer());
  thumbnailBytes.set(thumbnail, bytes);
  return bytes;
}

/**
 * A send of a FILE / IMAGE message whose thumbnail Blob the SDK has not read yet: reads it (when it
 * can fit in a message at all). Never rejects: an unreadable thumbnail fails the send's checks.
 * undefined when there is nothing to wait for.
 */
export function loadThumbnail(message: unknown): Promise<void> | undefined {
  const m = message as { messageType?: unknown; thumbnail?: unknown } | null;
  if (!m || typeof m !== 'object' || (m.messageType !== 'FILE' && m.messageType !== 'IMAGE')) return undefined;
  const thumbnail = m.thumbnail;
  if (!isBlobLike(thumbnail) || thumbnailBytes.has(thumbnail) || thumbnail.size > MEDIA_LIMITS.MESSAGE_MAX_BYTES) return undefined;
  return readThumbnail(thumbnail).then(
    () => undefined,
    () => undefined,
  );
}

/** Checks a FILE / IMAGE message and builds its wire form (size checked by the caller with messageSize). */
export function encodeMediaMessage(m: Record<string, unknown>, type: MediaType): MediaEncodeResult {
  if (m['text'] !== undefined || m['rawMessage'] !== undefined) {
    return { ok: false, problem: 'INCOMPATIBLE_MESSAGE', why: `a ${type} message carries no text or rawMessage` };
  }
  const invalid = (why: string): MediaEncodeResult => ({ ok: false, problem: 'INVALID_MESSAGE', why });
  const { mediaId, size, fileName, description, thumbnail } = m;
  if (typeof mediaId !== 'string' || mediaId === '') return invalid('mediaId must be a non-empty string');
  if (!isCount(size)) return invalid('size must be a non-negative integer');
  if (!isOptionalString(fileName)) return invalid('fileName must be a string');
  if (!isOptionalString(description)) return invalid('description must be a string');
  const thumbSize = thumbnailSize(thumbnail);
  if (thumbSize === undefined) return invalid('thumbnail must be a Blob or a Uint8Array');
  let thumb: Uint8Array | undefined;
  if (thumbnail instanceof Uint8Array) thumb = new Uint8Array(thumbnail);
  else if (isBlobLike(thumbnail)) {
    thumb = thumbnailBytes.get(thumbnail);
    if (!thumb) {
      const otherBytes = utf8Bytes(fileName) + utf8Bytes(description);
      if (thumbnail.size + otherBytes > MEDIA_LIMITS.MESSAGE_MAX_BYTES) {
        return { ok: false, problem: 'TOO_LARGE', why: `the message has ${thumbnail.size + otherBytes} bytes, more than ${MEDIA_LIMITS.MESSAGE_MAX_BYTES}` };
      }
      return invalid('the thumbnail Blob could not be read');
    }
  }
  const media: WireMedia = { id: mediaId, size, name: (fileName as string | undefined) ?? '' };
  if (thumb && thumb.byteLength > 0) media.thumb = thumb;
  if (type === 'IMAGE') {
    for (const [key, field] of [
      ['width', 'w'],
      ['height', 'h'],
      ['thumbnailWidth', 'tw'],
      ['thumbnailHeight', 'th'],
    ] as const) {
      const value = m[key];
      if (value === undefined || value === null) continue;
      if (!isCount(value)) return invalid(`${key} must be a non-negative integer`);
      if (value > 0) media[field] = value;
    }
  }
  const wire: WireMessage = { k: type === 'IMAGE' ? MessageKind.IMAGE : MessageKind.FILE, media };
  if (description) wire.desc = description as string;
  return { ok: true, wire };
}

/** The message listeners get for a received FILE / IMAGE wire message; undefined when malformed. */
export function decodeMediaMessage(wire: Partial<WireMessage>): MediaMessage | undefined {
  const media = wire.media as Partial<WireMedia> | undefined;
  if (!media || typeof media !== 'object' || typeof media.id !== 'string' || media.id === '' || !isCount(media.size)) return undefined;
  if (media.thumb !== undefined && !(media.thumb instanceof Uint8Array)) return undefined;
  const file: RtmFileMessage = {
    messageType: 'FILE',
    mediaId: media.id,
    size: media.size,
    fileName: typeof media.name === 'string' ? media.name : '',
    description: typeof wire.desc === 'string' ? wire.desc : '',
    thumbnail: thumbnailOf(media.thumb),
  };
  if (wire.k === MessageKind.FILE) return file;
  return {
    ...file,
    messageType: 'IMAGE',
    width: countOr0(media.w),
    height: countOr0(media.h),
    thumbnailWidth: countOr0(media.tw),
    thumbnailHeight: countOr0(media.th),
  };
}

/** What the upload / media-id calls resolve: a file or image message. */
export function buildMediaMessage(
  type: MediaType,
  fields: { mediaId: string; size: number; fileName: string; description: string; thumbnail?: Uint8Array },
  image: { width: number; height: number; thumbnailWidth: number; thumbnailHeight: number },
): MediaMessage {
  const file: RtmFileMessage = {
    messageType: 'FILE',
    mediaId: fields.mediaId,
    size: fields.size,
    fileName: fields.fileName,
    description: fields.description,
    thumbnail: thumbnailOf(fields.thumbnail),
  };
  return type === 'IMAGE' ? { ...file, messageType: 'IMAGE', ...image } : file;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function countOr0(value: unknown): number {
  return isCount(value) ? value : 0;
}

function isOptionalString(value: unknown): value is string | undefined | null {
  return value === undefined || value === null || typeof value === 'string';
}

function utf8Bytes(value: unknown): number {
  return typeof value === 'string' ? utf8Length(value) : 0;
}
