/**
 * Nominal identifier types: a Uid is not a ChannelId is not an AppId, so passing one app's data
 * where another's is expected is a type error, not a runtime leak.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type AppId = Brand<string, 'AppId'>;
export type Uid = Brand<string, 'Uid'>;
export type ChannelId = Brand<string, 'ChannelId'>;
export type MediaId = Brand<string, 'MediaId'>;
export type SessionId = Brand<string, 'SessionId'>;
export type GatewayId = Brand<string, 'GatewayId'>;

/** agora-rtm-sdk 1.x: `/^[\dA-Za-z]{32}$/`. */
export const APP_ID_PATTERN = /^[\dA-Za-z]{32}$/;
/** agora-rtm-sdk 1.x uid / peerId / channelId / calleeId rule (spec §7.1), plus "no leading space". */
export const USER_ID_PATTERN = /^[\s\w!#$%&()+,.:;<=>?@[\]^{|}~-]{1,64}$/;

export function isAppId(value: unknown): value is AppId {
  return typeof value === 'string' && APP_ID_PATTERN.test(value);
}

function isAgoraName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value !== 'null' &&
    USER_ID_PATTERN.test(value) &&
    value.charCodeAt(0) !== 32 &&
    // \s in the SDK's pattern also admits tabs and newlines; only the space is a visible-ASCII name char.
    !/[\t\n\v\f\r]/.test(value)
  );
}

export function isUid(value: unknown): value is Uid {
  return isAgoraName(value);
}

export function isChannelId(value: unknown): value is ChannelId {
  return isAgoraName(value);
}

/**
 * A subject-safe, injective encoding of a uid or channel id for one NATS subject token.
 * NATS tokens may not contain '.', '*', '>' or whitespace; ids may. Letters, digits, '-' and '_'
 * pass through; every other byte becomes '%XX' (so '%' itself is escaped and decoding is unique).
 */
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextEncoder();
export function subjectToken(id: string): string {
  if (SAFE_TOKEN.test(id)) return id;
  let out = '';
  for (const byte of utf8.encode(id)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function fromSubjectToken(token: string): string {
  if (!token.includes('%')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
