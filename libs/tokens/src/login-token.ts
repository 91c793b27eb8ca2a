import { build006 } from './access-token-006';
import { build007 } from './access-token-007';

/** RTM login token formats Parley makes: 007 (AccessToken2, the default) and 006. */
export const LOGIN_TOKEN_FORMATS = ['007', '006'] as const;
export type LoginTokenFormat = (typeof LOGIN_TOKEN_FORMATS)[number];

/** 006 tokens carry their own validity (`ts`), 24 h in agora-access-token. */
const TOKEN_006_MIN_VALIDITY_SECONDS = 86_400;

export interface LoginTokenOptions {
  format: LoginTokenFormat;
  appId: string;
  /** The app's certificate (32 hex digits). */
  certificate: string;
  uid: string;
  /** Login privilege lifetime from now. */
  expireSeconds: number;
  /** Unix seconds (default now). */
  nowSeconds?: number;
}

/**
 * An RTM login token for `uid`, as `parley token` and the admin API make them (Agora's builders'
 * bytes): 007 with the login privilege for expireSeconds; 006 with its privilege expiring then and
 * its own validity at least 24 h. `expiresAt`: Unix seconds when the login privilege ends.
 */
export function buildLoginToken(o: LoginTokenOptions): { token: string; expiresAt: number } {
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  const expiresAt = now + o.expireSeconds;
  const token =
    o.format === '007'
      ? build007(o.appId, o.certificate, o.uid, o.expireSeconds, { issueTs: now })
      : build006(o.appId, o.certificate, o.uid, expiresAt, { ts: now + Math.max(o.expireSeconds, TOKEN_006_MIN_VALIDITY_SECONDS) });
  return { token, expiresAt };
}
