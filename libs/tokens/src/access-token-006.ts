/**
 * Agora AccessToken v1 ("006") — spec §12.1. Also hosts the little-endian packing primitives that
 * the "007" format reuses (same string/uint encoding in both generations).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export const VERSION_006 = '006';
/** RTM login privilege id in the v1 privilege map. */
export const PRIVILEGE_RTM_LOGIN_006 = 1000;
/** Library default: a 006 token itself is valid 24 h after issue. */
export const TOKEN_006_VALIDITY_SECONDS = 24 * 3600;

const APP_ID_LENGTH = 32;
const SIGNATURE_LENGTH = 32;
/** Agora tokens are < 1 KiB; anything far larger is garbage and not worth decoding. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Packing primitives (shared with access-token-007.ts; not part of the public barrel).

/** Thrown internally when a buffer is too short; parsers turn it into `null`. */
export class TruncatedError extends Error {}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bounds-checked little-endian reader (Agora's own reader silently zero-fills short strings). */
export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  /** uint16 length + raw bytes (a view, not a copy). */
  bytes(): Buffer {
    const n = this.u16();
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** Strict UTF-8 for fields we compare (ids); lossy for informational fields. */
  string(strict = false): string {
    const b = this.bytes();
    return strict ? strictUtf8.decode(b) : b.toString('utf8');
  }
  /** uint16 count + count × (uint16 key · uint32 value); later duplicates win, like Agora's map. */
  u32Map(): Record<number, number> {
    const out: Record<number, number> = {};
    const n = this.u16();
    for (let i = 0; i < n; i++) {
      const key = this.u16();
      out[key] = this.u32();
    }
    return out;
  }
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new TruncatedError('token truncated');
  }
}

function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}
export const packU16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(checkUint(v, 0xffff, 'uint16'));
  return b;
};
export const packU32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(checkUint(v, 0xffffffff, 'uint32'));
  return b;
};
export const packBytes = (v: Buffer | string): Buffer => {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return Buffer.concat([packU16(b.length), b]);
};
/** Keys ascending, matching Agora's `for…in` over integer keys. */
export const packU32Map = (m: Readonly<Record<number, number>>): Buffer => {
  const keys = Object.keys(m)
    .map(Number)
    .sort((a, b) => a - b);
  return Buffer.concat([packU16(keys.length), ...keys.flatMap((k) => [packU16(k), packU32(m[k]!)])]);
};

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Node's decoder skips junk characters; be strict so garbage never "decodes". */
export function decodeBase64Strict(s: string): Buffer | null {
  if (!BASE64_RE.test(s) || s.length % 4 === 1) return null;
  return Buffer.from(s, 'base64');
}

const HEX32_RE = /^[0-9a-fA-F]{32}$/;
export const isHex32 = (v: unknown): v is string => typeof v === 'string' && HEX32_RE.test(v);

/** CRC-32 (IEEE, as zlib) of the UTF-8 encoding, as uint32. */
export function crc32(s: string): number {
  return zlibCrc32(s) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// 006 format.

export interface AccessToken006 {
  version: '006';
  appId: string;
  signature: Buffer;
  /** crc32 of the "channel name" slot, which RTM uses for the account (login uid). */
  crcChannel: number;
  /** crc32 of the uid slot; RTM tokens use "" → 0. */
  crcUid: number;
  salt: number;
  /** Absolute unix seconds: validity of the token itself. */
  ts: number;
  /** privilege id → absolute unix seconds (0 = no expiry). */
  privileges: Record<number, number>;
  /** Raw message bytes `m`, exactly as signed. */
  message: Buffer;
}

/** Decodes a 006 token; `null` for anything malformed. Does not verify the signature. */
export function parseAccessToken006(token: unknown): AccessToken006 | null {
  try {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    if (!token.startsWith(VERSION_006) || token.length <= 3 + APP_ID_LENGTH) return null;
    const appId = token.slice(3, 3 + APP_ID_LENGTH);
    const content = decodeBase64Strict(token.slice(3 + APP_ID_LENGTH));
    if (!content) return null;

    const r = new ByteReader(content);
    const signature = r.bytes();
    const crcChannel = r.u32();
    const crcUid = r.u32();
    const message = r.bytes();
    // Bytes after `m` are outside the signature: refuse rather than silently ignore them.
    if (r.remaining !== 0 || signature.length !== SIGNATURE_LENGTH) return null;

    const m = new ByteReader(message);
    const salt = m.u32();
    const ts = m.u32();
    const privileges = m.u32Map();
    return { version: '006', appId, signature, crcChannel, crcUid, salt, ts, privileges, message };
  } catch {
    return null;
  }
}

/** HMAC-SHA256(key = certificate ASCII, msg = appID ‖ channel(account) ‖ uid ‖ m). */
export function sign006(certificate: string, appId: string, account: string, uid: string, message: Buffer): Buffer {
  return createHmac('sha256', Buffer.from(certificate, 'utf8'))
    .update(Buffer.concat([Buffer.from(appId, 'utf8'), Buffer.from(account, 'utf8'), Buffer.from(uid, 'utf8'), message]))
    .digest();
}

export interface Build006Options {
  /** Token validity, absolute unix seconds (default now + 24 h, as the library). */
  ts?: number;
  /** uint32 (default random). */
  salt?: number;
}

/**
 * Same bytes as `agora-access-token` RtmTokenBuilder.buildToken(appId, cert, account, Rtm_User,
 * privilegeExpiredTs) given the same salt/ts. Throws on invalid arguments (test/CLI helper).
 */
export function build006(appId: string, certificate: string, account: string, privilegeExpiredTs: number, opts: Build006Options = {}): string {
  if (!isHex32(appId) || !isHex32(certificate)) throw new TypeError('appId and certificate must be 32 hex chars');
  const ts = opts.ts ?? Math.floor(Date.now() / 1000) + TOKEN_006_VALIDITY_SECONDS;
  const salt = opts.salt ?? randomBytes(4).readUInt32LE(0);
  const message = Buffer.concat([packU32(salt), packU32(ts), packU32Map({ [PRIVILEGE_RTM_LOGIN_006]: privilegeExpiredTs })]);
  const signature = sign006(certificate, appId, account, '', message);
  const content = Buffer.concat([packBytes(signature), packU32(crc32(account)), packU32(crc32('')), packBytes(message)]);
  return VERSION_006 + appId + content.toString('base64');
}
