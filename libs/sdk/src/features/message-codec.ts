/**
 * RtmMessage ⇄ WireMessage (libs/contracts/src/messages.ts) with agora-rtm-sdk 1.x's message
 * checks (spec §3, §7.2). Shared by peer messages and channel messages; each maps a
 * MessageProblem to its own error table.
 */
import { MessageKind, messageSize, type WireMessage } from '@parley/contracts';
import type { RtmMessage } from '../types';
import { decodeMediaMessage, encodeMediaMessage } from './media-message';

/** Text bytes, raw bytes + description bytes, or description + file name + thumbnail bytes (UTF-8), at most this many (spec §7.2). */
export const MAX_MESSAGE_BYTES = 32 * 1024;

export type MessageProblem =
  /** Neither text nor rawMessage, or a field of the wrong type. */
  | 'INVALID_MESSAGE'
  /** Both text and rawMessage, or a messageType that disagrees with the content. */
  | 'INCOMPATIBLE_MESSAGE'
  /** Over MAX_MESSAGE_BYTES. */
  | 'TOO_LARGE';

export type EncodeResult = { ok: true; wire: WireMessage; bytes: number } | { ok: false; problem: MessageProblem; why: string };

export type DecodeResult = { ok: true; message: RtmMessage } | { ok: false; why: string };

/**
 * Checks an app's message and builds its wire form (raw bytes and thumbnails are copied, so later
 * changes by the app do not alter a resend). A FILE / IMAGE message's thumbnail Blob must have been
 * read before (media-message.ts loadThumbnail).
 */
export function encodeMessage(message: unknown): EncodeResult {
  if (!message || typeof message !== 'object') return fail('INVALID_MESSAGE', 'the message must be an object');
  const m = message as Record<string, unknown>;
  const type = m['messageType'];
  if (type === 'IMAGE' || type === 'FILE') {
    const media = encodeMediaMessage(m, type);
    return media.ok ? checked(media.wire) : media;
  }
  const hasText = m['text'] !== undefined;
  const hasRaw = m['rawMessage'] !== undefined;
  if (hasText && hasRaw) return fail('INCOMPATIBLE_MESSAGE', 'a message carries either text or rawMessage, not both');
  if (!hasText && !hasRaw) return fail('INVALID_MESSAGE', 'the message has neither text nor rawMessage');
  let wire: WireMessage;
  if (hasText) {
    if (type !== undefined && type !== 'TEXT') return fail('INCOMPATIBLE_MESSAGE', `a text message with messageType ${String(type)}`);
    if (typeof m['text'] !== 'string') return fail('INVALID_MESSAGE', 'text must be a string');
    wire = { k: MessageKind.TEXT, text: m['text'] };
  } else {
    if (type !== undefined && type !== 'RAW') return fail('INCOMPATIBLE_MESSAGE', `a raw message with messageType ${String(type)}`);
    const raw = m['rawMessage'];
    if (!(raw instanceof Uint8Array)) return fail('INVALID_MESSAGE', 'rawMessage must be a Uint8Array');
    const desc = m['description'];
    if (desc !== undefined && desc !== null && typeof desc !== 'string') return fail('INVALID_MESSAGE', 'description must be a string');
    wire = { k: MessageKind.RAW, raw: new Uint8Array(raw) };
    if (desc) wire.desc = desc;
  }
  return checked(wire);
}

/** The wire message with its size, unless over MAX_MESSAGE_BYTES. */
function checked(wire: WireMessage): EncodeResult {
  const bytes = messageSize(wire);
  if (bytes === undefined) return fail('INVALID_MESSAGE', 'malformed message');
  if (bytes > MAX_MESSAGE_BYTES) return fail('TOO_LARGE', `the message has ${bytes} bytes, more than ${MAX_MESSAGE_BYTES}`);
  return { ok: true, wire, bytes };
}

/** The RtmMessage listeners get for a received wire message (unknown kinds and malformed bodies are reported as not ok). */
export function decodeMessage(m: unknown): DecodeResult {
  if (!m || typeof m !== 'object') return { ok: false, why: 'no message body' };
  const wire = m as Partial<WireMessage>;
  if (wire.k === MessageKind.TEXT) {
    if (typeof wire.text !== 'string') return { ok: false, why: 'a text message without text' };
    return { ok: true, message: { text: wire.text, messageType: 'TEXT' } };
  }
  if (wire.k === MessageKind.RAW) {
    if (!(wire.raw instanceof Uint8Array)) return { ok: false, why: 'a raw message without bytes' };
    // A plain Uint8Array copy: not a Node Buffer, not a view into the frame.
    const description = typeof wire.desc === 'string' ? wire.desc : '';
    return { ok: true, message: { rawMessage: new Uint8Array(wire.raw), description, messageType: 'RAW' } };
  }
  if (wire.k === MessageKind.FILE || wire.k === MessageKind.IMAGE) {
    const message = decodeMediaMessage(wire);
    return message ? { ok: true, message } : { ok: false, why: `${wire.k === MessageKind.FILE ? 'a file' : 'an image'} message without valid media` };
  }
  return { ok: false, why: `message kind ${String(wire.k)} is not supported by this SDK version` };
}

/** createMessage(): the object itself, with messageType filled in for text and raw messages. */
export function withMessageType<T extends RtmMessage>(message: Partial<T>): T {
  const m = message as Partial<RtmMessage> & Record<string, unknown>;
  if (m && typeof m === 'object' && m.messageType === undefined) {
    if (typeof m.text === 'string') m.messageType = 'TEXT';
    else if (m.rawMessage instanceof Uint8Array) m.messageType = 'RAW';
  }
  return message as T;
}

function fail(problem: MessageProblem, why: string): EncodeResult {
  return { ok: false, problem, why };
}
