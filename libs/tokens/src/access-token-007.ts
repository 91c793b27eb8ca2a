/** Agora AccessToken2 ("007") — spec §12.2. */
import { createHmac, randomInt } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { ByteReader, MAX_TOKEN_LENGTH, decodeBase64Strict, isHex32, packBytes, packU16, packU32, packU32Map } from './access-token-006';

export const VERSION_007 = '007';
export const SERVICE_RTC = 1;
export const SERVICE_RTM = 2;
export const SERVICE_STREAMING = 3;
export const SERVICE_FPA = 4;
export const SERVICE_CHAT = 5;
export const SERVICE_FCDN = 6;
export const SERVICE_APAAS = 7;
export const SERVICE_RTM2 = 8;
export const SERVICE_CONVOAI = 9;
export const SERVICE_STT = 10;
/** Privilege id of RTM (type 2) login. */
export const PRIVILEGE_RTM_LOGIN_007 = 1;

const SIGNATURE_LENGTH = 32;
/** Inflate cap: real tokens inflate to a few hundred bytes; this defuses zlib bombs. */
const MAX_INFLATED_BYTES = 64 * 1024;

export interface Service007 {
  type: number;
  /** privilege id → expiry in seconds relative to issueTs (0 = no limit of its own). */
  privileges: Record<number, number>;
  /** RTM (2), Chat (5), RTM2 (8). */
  userId?: string;
  /** RTC (1), Streaming (3), FCDN (6). */
  channelName?: string;
  /** RTC uid / Streaming, FCDN account. */
  uid?: string;
}

export interface AccessToken007 {
  version: '007';
  signature: Buffer;
  /** Everything after the signature, exactly as signed. */
  signingInfo: Buffer;
  appId: string;
  issueTs: number;
  /** Seconds relative to issueTs. */
  expire: number;
  salt: number;
  /** Services decoded before the first unknown type (parsing stops there, as in agora-token). */
  services: Service007[];
  /** Declared services left undecoded because an unknown type was met. */
  unparsedServices: number;
}

/** Reads the type-specific tail of a known service (types 1..10). */
function readServiceFields(type: number, r: ByteReader, s: Service007): void {
  switch (type) {
    case SERVICE_RTC:
    case SERVICE_STREAMING:
    case SERVICE_FCDN:
      s.channelName = r.string();
      s.uid = r.string();
      return;
    case SERVICE_RTM:
      s.userId = r.string(true);
      return;
    case SERVICE_CHAT:
      s.userId = r.string();
      return;
    case SERVICE_FPA:
    case SERVICE_CONVOAI:
    case SERVICE_STT:
      return;
    case SERVICE_APAAS:
      r.string(); // room uuid
      r.string(); // user uuid
      r.u16(); // role (int16)
      return;
    case SERVICE_RTM2: {
      s.userId = r.string();
      // Resource permission tree: resourceType → permType → list of names; only skipped.
      for (let i = r.u16(); i > 0; i--) {
        r.u16();
        for (let j = r.u16(); j > 0; j--) {
          r.u16();
          for (let k = r.u16(); k > 0; k--) r.bytes();
        }
      }
      return;
    }
  }
}

function inflateToken(body: string): Buffer | null {
  const compressed = decodeBase64Strict(body);
  if (!compressed || compressed.length === 0) return null;
  try {
    return inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    return null;
  }
}

/** Decodes a 007 token; `null` for anything malformed. Does not verify the signature. */
export function parseAccessToken007(token: unknown): AccessToken007 | null {
  try {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(VERSION_007)) return null;
    const content = inflateToken(token.slice(3));
    if (!content) return null;

    const r = new ByteReader(content);
    const signature = r.bytes();
    if (signature.length !== SIGNATURE_LENGTH) return null;
    const signingInfo = r.rest();

    const s = new ByteReader(signingInfo);
    const appId = s.string(true);
    const issueTs = s.u32();
    const expire = s.u32();
    const salt = s.u32();
    const count = s.u16();
    const services: Service007[] = [];
    const parsed: AccessToken007 = { version: '007', signature, signingInfo, appId, issueTs, expire, salt, services, unparsedServices: 0 };
    for (let i = 0; i < count; i++) {
      const type = s.u16();
      // Unknown layout: the remaining bytes are still signed, we just cannot interpret them.
      if (!isKnownServiceType(type)) {
        parsed.unparsedServices = count - i;
        break;
      }
      const service: Service007 = { type, privileges: s.u32Map() };
      readServiceFields(type, s, service);
      services.push(service);
    }
    return parsed;
  } catch {
    // Truncation (TruncatedError) or invalid UTF-8 in an id (TypeError).
    return null;
  }
}

function isKnownServiceType(type: number): boolean {
  return type >= SERVICE_RTC && type <= SERVICE_STT;
}

/** key = HMAC(uint32le(salt), HMAC(uint32le(issueTs), certificate ASCII)). */
export function signingKey007(certificate: string, issueTs: number, salt: number): Buffer {
  const k1 = createHmac('sha256', packU32(issueTs)).update(Buffer.from(certificate, 'utf8')).digest();
  return createHmac('sha256', packU32(salt)).update(k1).digest();
}

export function sign007(certificate: string, issueTs: number, salt: number, signingInfo: Buffer): Buffer {
  return createHmac('sha256', signingKey007(certificate, issueTs, salt))
    .update(signingInfo)
    .digest();
}

export interface Build007Options {
  /** Unix seconds (default now). */
  issueTs?: number;
  /** 1..99 999 999 like agora-token (default random). */
  salt?: number;
}

/**
 * Decoded-field-identical to `agora-token` RtmTokenBuilder.buildToken(appId, cert, uid, expire)
 * for the same issueTs/salt: one RTM service with {login: expire}. Throws on invalid arguments.
 */
export function build007(appId: string, certificate: string, uid: string, expireSeconds: number, opts: Build007Options = {}): string {
  if (!isHex32(appId) || !isHex32(certificate)) throw new TypeError('appId and certificate must be 32 hex chars');
  const issueTs = opts.issueTs ?? Math.floor(Date.now() / 1000);
  const salt = opts.salt ?? randomInt(1, 100_000_000);
  const rtmService = Buffer.concat([packU16(SERVICE_RTM), packU32Map({ [PRIVILEGE_RTM_LOGIN_007]: expireSeconds }), packBytes(uid)]);
  const signingInfo = Buffer.concat([packBytes(appId), packU32(issueTs), packU32(expireSeconds), packU32(salt), packU16(1), rtmService]);
  const signature = sign007(certificate, issueTs, salt, signingInfo);
  return VERSION_007 + deflateSync(Buffer.concat([packBytes(signature), signingInfo])).toString('base64');
}
