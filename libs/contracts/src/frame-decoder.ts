import { Unpackr } from 'msgpackr';

/**
 * Decoding of what a client sends (browser-safe). msgpackr alone would accept anything it can
 * represent: its structured-clone extensions build cyclic values from 14 bytes, and nesting is
 * bounded only by the call stack. Before msgpackr sees a frame, `scanMessagePack` walks the bytes
 * once (no allocation) and refuses: extension types, the reserved byte 0xc1, truncated values,
 * trailing bytes, counts larger than the bytes left, nesting deeper than `maxDepth`, and map keys
 * "__proto__". What passes
 * is plain MessagePack of bounded depth, so nothing decoded from a client can be cyclic or too deep
 * to encode again.
 */
export const MAX_CLIENT_DEPTH = 16;

export const Scan = { OK: 0, MALFORMED: 1, TOO_DEEP: 2 } as const;
export type Scan = (typeof Scan)[keyof typeof Scan];

/** True when `b` holds exactly one well-formed standard MessagePack value nested at most `maxDepth` deep. */
export function scanMessagePack(b: Uint8Array, maxDepth: number = MAX_CLIENT_DEPTH): boolean {
  return scan(b, maxDepth) === Scan.OK;
}

/**
 * scan's state, one slot per depth, shared by every call (a scan runs to its end synchronously and
 * calls nothing that could scan): a frame costs no allocation. Grown when a deeper bound is asked.
 * remaining[d]: values still to read in the container open at depth d (depth 0: the one top value;
 * counts are bounded by the frame's length). isMap[d]: that container is a map (key, value, …).
 */
let remaining = new Float64Array(MAX_CLIENT_DEPTH + 1);
let isMap = new Uint8Array(MAX_CLIENT_DEPTH + 1);

/** Why a frame is refused (TOO_DEEP: well-formed as far as read, but nested beyond the bound). */
export function scan(b: Uint8Array, maxDepth: number = MAX_CLIENT_DEPTH): Scan {
  const len = b.length;
  if (remaining.length < maxDepth + 1) {
    remaining = new Float64Array(maxDepth + 1);
    isMap = new Uint8Array(maxDepth + 1);
  }
  remaining[0] = 1;
  isMap[0] = 0;
  let depth = 0;
  let pos = 0;
  for (;;) {
    while (remaining[depth] === 0) {
      if (depth === 0) return pos === len ? Scan.OK : Scan.MALFORMED;
      depth--;
    }
    if (pos >= len) return Scan.MALFORMED;
    const isKey = isMap[depth] === 1 && remaining[depth]! % 2 === 0;
    remaining[depth]!--;
    const t = b[pos++]!;
    let items = -1;
    let skip = 0;
    let map = false;
    if (t <= 0x7f || t >= 0xe0) skip = 0;
    else if (t <= 0x8f) {
      items = (t & 0x0f) * 2;
      map = true;
    } else if (t <= 0x9f) items = t & 0x0f;
    else if (t <= 0xbf) skip = t & 0x1f;
    else {
      switch (t) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xc4:
        case 0xd9:
          if (pos + 1 > len) return Scan.MALFORMED;
          skip = b[pos]!;
          pos += 1;
          break;
        case 0xc5:
        case 0xda:
          if (pos + 2 > len) return Scan.MALFORMED;
          skip = (b[pos]! << 8) | b[pos + 1]!;
          pos += 2;
          break;
        case 0xc6:
        case 0xdb:
          if (pos + 4 > len) return Scan.MALFORMED;
          skip = u32(b, pos);
          pos += 4;
          break;
        case 0xdc:
          if (pos + 2 > len) return Scan.MALFORMED;
          items = (b[pos]! << 8) | b[pos + 1]!;
          pos += 2;
          break;
        case 0xdd:
          if (pos + 4 > len) return Scan.MALFORMED;
          items = u32(b, pos);
          pos += 4;
          break;
        case 0xde:
          if (pos + 2 > len) return Scan.MALFORMED;
          items = ((b[pos]! << 8) | b[pos + 1]!) * 2;
          map = true;
          pos += 2;
          break;
        case 0xdf:
          if (pos + 4 > len) return Scan.MALFORMED;
          items = u32(b, pos) * 2;
          map = true;
          pos += 4;
          break;
        default:
          // 0xc1 (never used), 0xc7–0xc9 and 0xd4–0xd8 (extensions): not part of Parley's protocol.
          return Scan.MALFORMED;
      }
    }
    if (items >= 0) {
      if (items === 0) continue;
      // Every value takes at least one byte: a count beyond the bytes left is a lie.
      if (items > len - pos) return Scan.MALFORMED;
      if (depth + 1 > maxDepth) return Scan.TOO_DEEP;
      remaining[++depth] = items;
      isMap[depth] = map ? 1 : 0;
    } else {
      // A map key "__proto__" would reach objects as a prototype (msgpackr renames it instead):
      // no client value may carry one.
      if (isKey && skip === PROTO.length && isProto(b, pos)) return Scan.MALFORMED;
      pos += skip;
      if (pos > len) return Scan.MALFORMED;
    }
  }
}

const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // "__proto__"

function isProto(b: Uint8Array, pos: number): boolean {
  for (let i = 0; i < PROTO.length; i++) if (b[pos + i] !== PROTO[i]) return false;
  return true;
}

function u32(b: Uint8Array, pos: number): number {
  return ((b[pos]! << 24) >>> 0) + ((b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!);
}

export interface FrameDecoder {
  /** The decoded value, or undefined when the bytes are refused (malformed, extensions, too deep). */
  decode(bytes: Uint8Array): unknown;
}

/**
 * The id of a request frame `[REQ, id, …]` read from its first bytes, without decoding the rest
 * (0 when the bytes do not start like one): a request refused for its nesting still gets an answer.
 */
export function peekRequestId(b: Uint8Array, reqFrame: number): number {
  let pos: number;
  if (b[0] === 0x94 || b[0] === 0x95) pos = 1;
  else if (b[0] === 0xdc && b.length > 3) pos = 3;
  else return 0;
  if (b[pos] !== reqFrame) return 0;
  const t = b[pos + 1];
  if (t === undefined) return 0;
  if (t >= 0x01 && t <= 0x7f) return t;
  if (t === 0xcc && pos + 2 < b.length) return b[pos + 2]!;
  if (t === 0xcd && pos + 3 < b.length) return (b[pos + 2]! << 8) | b[pos + 3]!;
  if (t === 0xce && pos + 5 < b.length) return u32(b, pos + 2);
  return 0;
}

/** The decoder for client frames: the wire codec's settings behind `scanMessagePack`. */
export function createFrameDecoder(maxDepth: number = MAX_CLIENT_DEPTH): FrameDecoder {
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });
  return {
    decode(bytes) {
      if (!scanMessagePack(bytes, maxDepth)) return undefined;
      try {
        return unpackr.unpack(bytes);
      } catch {
        return undefined;
      }
    },
  };
}
