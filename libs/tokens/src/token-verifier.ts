/** RTM login token verification (spec §12) and the login rejection mapping of spec §6.2. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { PRIVILEGE_RTM_LOGIN_006, crc32, parseAccessToken006, sign006 } from './access-token-006';
import { PRIVILEGE_RTM_LOGIN_007, SERVICE_RTM, parseAccessToken007, sign007 } from './access-token-007';

export type TokenVersion = '006' | '007';
export type TokenRejection = 'MALFORMED' | 'WRONG_APP' | 'BAD_SIGNATURE' | 'WRONG_UID' | 'EXPIRED' | 'NO_RTM_PRIVILEGE';
export type TokenVerdict =
  | { ok: true; version: TokenVersion; /** unix s: end of the login privilege / token, whichever first */ expiresAt: number }
  | { ok: false; reason: TokenRejection };

export interface VerifyRtmTokenInput {
  token: string;
  appId: string;
  certificate: string;
  /** Login user id. */
  uid: string;
  /** Unix seconds; defaults to the wall clock. A non-finite value yields MALFORMED. */
  nowSeconds?: number;
}

const reject = (reason: TokenRejection): TokenVerdict => ({ ok: false, reason });

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
/** Public values (app ids) only need a length-safe compare, but keep one code path. */
const sameString = (a: string, b: string): boolean => constantTimeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Verifies an RTM 1.x login token ("006" or "007"). Never throws.
 * Check order: malformed → wrong app → (006: crc uid) → signature → uid / RTM privilege → expiry,
 * so a forged token is BAD_SIGNATURE even if it is also expired.
 */
export function verifyRtmToken(input: VerifyRtmTokenInput): TokenVerdict {
  try {
    const { token, appId, certificate, uid } = input ?? ({} as VerifyRtmTokenInput);
    if (typeof token !== 'string' || typeof appId !== 'string' || typeof certificate !== 'string' || typeof uid !== 'string') {
      return reject('MALFORMED');
    }
    const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
    // NaN would make every "< now" comparison false, i.e. silently never expire.
    if (typeof now !== 'number' || !Number.isFinite(now)) return reject('MALFORMED');
    if (token.startsWith('006')) return verify006(token, appId, certificate, uid, now);
    if (token.startsWith('007')) return verify007(token, appId, certificate, uid, now);
    return reject('MALFORMED');
  } catch {
    return reject('MALFORMED');
  }
}

function verify006(token: string, appId: string, certificate: string, uid: string, now: number): TokenVerdict {
  const t = parseAccessToken006(token);
  if (!t) return reject('MALFORMED');
  if (!sameString(t.appId, appId)) return reject('WRONG_APP');
  // The account is inside the signed message, so a token for another account would only ever show
  // up as a bad signature; the crc lets us tell the user the real cause first.
  if (t.crcChannel !== crc32(uid)) return reject('WRONG_UID');
  if (!constantTimeEqual(t.signature, sign006(certificate, t.appId, uid, '', t.message))) return reject('BAD_SIGNATURE');

  const privilege = t.privileges[PRIVILEGE_RTM_LOGIN_006];
  // A 006 RTC token for channel "<uid>" and uid 0 has the same signature input; only 1000 makes it RTM.
  if (privilege === undefined) return reject('NO_RTM_PRIVILEGE');
  if (t.ts < now) return reject('EXPIRED');
  if (privilege !== 0 && privilege <= now) return reject('EXPIRED');
  return { ok: true, version: '006', expiresAt: privilege === 0 ? t.ts : Math.min(t.ts, privilege) };
}

function verify007(token: string, appId: string, certificate: string, uid: string, now: number): TokenVerdict {
  const t = parseAccessToken007(token);
  if (!t) return reject('MALFORMED');
  if (!sameString(t.appId, appId)) return reject('WRONG_APP');
  if (!constantTimeEqual(t.signature, sign007(certificate, t.issueTs, t.salt, t.signingInfo))) return reject('BAD_SIGNATURE');

  const rtm = t.services.filter((s) => s.type === SERVICE_RTM);
  if (rtm.length === 0) return reject('NO_RTM_PRIVILEGE');
  // agora-token allows several services of one type; any one naming this user is enough.
  const mine = rtm.find((s) => s.userId === uid);
  if (!mine) return reject('WRONG_UID');
  const privilege = mine.privileges[PRIVILEGE_RTM_LOGIN_007];
  if (privilege === undefined) return reject('NO_RTM_PRIVILEGE');

  const tokenEnd = t.issueTs + t.expire;
  const privilegeEnd = privilege === 0 ? Infinity : t.issueTs + privilege;
  if (!(now < tokenEnd) || !(now < privilegeEnd)) return reject('EXPIRED');
  return { ok: true, version: '007', expiresAt: Math.min(tokenEnd, privilegeEnd) };
}

/** 32 lowercase hex chars (16 random bytes), the shape of an Agora App Certificate. */
export function generateCertificate(): string {
  return randomBytes(16).toString('hex');
}

/** 32 lowercase hex chars (16 random bytes), the shape of an Agora App ID. */
export function generateAppId(): string {
  return randomBytes(16).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Login rejection mapping (spec §6.1 LOGIN_ERR and §6.2 access-point codes).

/** agora-rtm-sdk 1.x `RtmStatusCode.LoginError` numeric codes (spec §6.1). */
export const LOGIN_ERR = {
  UNKNOWN: 1,
  REJECTED: 2,
  INVALID_ARGUMENT: 3,
  INVALID_APP_ID: 4,
  INVALID_TOKEN: 5,
  TOKEN_EXPIRED: 6,
  NOT_AUTHORIZED: 7,
  ALREADY_LOGIN: 8,
  TIMEOUT: 9,
  TOO_OFTEN: 10,
  ABORTED_BY_LOGOUT: 201,
} as const;
export type LoginErrName = keyof typeof LOGIN_ERR;

export interface LoginServerCode {
  /** Access-point code (spec §6.2). */
  serverCode: number;
  serverName: string;
  /** What the 1.x client surfaces. */
  loginError: LoginErrName;
  loginErrorCode: number;
}

const row = (serverCode: number, serverName: string, loginError: LoginErrName): LoginServerCode => ({
  serverCode,
  serverName,
  loginError,
  loginErrorCode: LOGIN_ERR[loginError],
});

/** The full §6.2 table keyed by server code. */
export const LOGIN_SERVER_CODES: Readonly<Record<number, LoginServerCode>> = Object.freeze({
  5: row(5, 'INVALID_APP_ID', 'INVALID_APP_ID'),
  7: row(7, 'INVALID_USER_ID', 'INVALID_ARGUMENT'),
  9: row(9, 'NO_AUTHORIZED', 'INVALID_TOKEN'),
  10: row(10, 'TOKEN_TIMEOUT', 'TOKEN_EXPIRED'),
  11: row(11, 'APP_ID_NO_ACTIVATED', 'INVALID_APP_ID'),
  12: row(12, 'INVALID_TOKEN_UID', 'INVALID_TOKEN'),
  13: row(13, 'TOKEN_EXPIRED', 'TOKEN_EXPIRED'),
  14: row(14, 'DYNAMIC_KEY_NOT_ENABLED', 'INVALID_TOKEN'),
  15: row(15, 'DYNAMIC_ENABLED_BUT_STATIC_KEY', 'INVALID_TOKEN'),
  18: row(18, 'FORBIDDEN_REGION', 'REJECTED'),
  19: row(19, 'CANNOT_MEET_AREA_DEMAND', 'REJECTED'),
});

/** Server code a real access point would send for each verifier outcome. */
const SERVER_CODE_FOR: Readonly<Record<TokenRejection, number>> = {
  MALFORMED: 9, // undecodable token: signature cannot be verified
  WRONG_APP: 5,
  BAD_SIGNATURE: 9,
  WRONG_UID: 7,
  EXPIRED: 13,
  NO_RTM_PRIVILEGE: 9, // token valid but grants no RTM login
};

export function loginRejectionFor(reason: TokenRejection): LoginServerCode {
  return LOGIN_SERVER_CODES[SERVER_CODE_FOR[reason]]!;
}
