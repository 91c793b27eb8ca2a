import type { WireMedia } from './media';

/**
 * Peer (and later channel) messages on the wire and on NATS. Browser-safe.
 * A message body is the same object everywhere: client → gateway → NATS → gateway → client, and
 * in the offline store, so nothing is re-encoded on the way (binary stays MessagePack bin).
 */

/** Message kinds on the wire: agora-rtm's messageType. */
export const MessageKind = { TEXT: 1, RAW: 2, IMAGE: 3, FILE: 4 } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

export interface WireMessage {
  /** MessageKind */
  k: MessageKind;
  /** TEXT: the text. */
  text?: string;
  /** RAW: the bytes. */
  raw?: Uint8Array;
  /** RAW: optional description; FILE/IMAGE: the description text. */
  desc?: string;
  /** FILE / IMAGE: the media (WireMedia, libs/contracts/src/media.ts). */
  media?: WireMedia;
}

/** Op.SEND_PEER arguments. */
export interface SendPeerArgs {
  to: string;
  /** Unique per sending SDK instance; the same id on a resend, so receivers drop duplicates. */
  id: string;
  m: WireMessage;
  /** enableOfflineMessaging: store for the peer when it is not online. */
  offline?: boolean;
  /** enableHistoricalMessaging: keep in the message history (libs/contracts/src/history.ts). */
  hist?: boolean;
}

/** What became of a peer message (agora-rtm PEER_MESSAGE_ERR: 0 ok, 3 unreachable, 4 cached). */
export const PeerDelivery = { RECEIVED: 0, PEER_UNREACHABLE: 3, CACHED_BY_SERVER: 4 } as const;
export type PeerDelivery = (typeof PeerDelivery)[keyof typeof PeerDelivery];

export interface SendPeerResult {
  d: PeerDelivery;
  /** serverReceivedTs the receiver sees. */
  ts: number;
}

/** Evt.PEER_MESSAGE data (always sent with an ackId: the client ACKs after its listeners ran). */
export interface PeerMessageEvent {
  from: string;
  id: string;
  m: WireMessage;
  /** serverReceivedTs, ms */
  ts: number;
  /** Delivered from the offline store. */
  off?: boolean;
}

/** UTF-8 byte length without allocating (browser-safe). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Size that counts against the 32 KB limit: text bytes, or raw bytes + description bytes
 * (file/image: description + file name + thumbnail, issue 7). Undefined when malformed.
 */
export function messageSize(m: unknown): number | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const msg = m as WireMessage;
  switch (msg.k) {
    case MessageKind.TEXT:
      return typeof msg.text === 'string' && msg.raw === undefined ? utf8Length(msg.text) : undefined;
    case MessageKind.RAW:
      if (!(msg.raw instanceof Uint8Array) || msg.text !== undefined) return undefined;
      if (msg.desc !== undefined && typeof msg.desc !== 'string') return undefined;
      return msg.raw.byteLength + (msg.desc ? utf8Length(msg.desc) : 0);
    case MessageKind.IMAGE:
    case MessageKind.FILE: {
      const media = msg.media;
      if (!media || typeof media !== 'object' || typeof media.id !== 'string' || !media.id || typeof media.size !== 'number') return undefined;
      if (typeof media.name !== 'string' || (msg.desc !== undefined && typeof msg.desc !== 'string')) return undefined;
      if (media.thumb !== undefined && !(media.thumb instanceof Uint8Array)) return undefined;
      return utf8Length(msg.desc ?? '') + utf8Length(media.name) + (media.thumb?.byteLength ?? 0);
    }
    default:
      return undefined;
  }
}

/** agora-rtm 1.x legacy end-call interop text prefix. */
export const END_CALL_PREFIX = 'AgoraRTMLegacyEndcallCompatibleMessagePrefix';
