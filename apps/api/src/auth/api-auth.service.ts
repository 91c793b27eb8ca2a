import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isAppId, isUid, type AppId } from '@parley/contracts';
import { verifyRtmToken } from '@parley/tokens';
import { badRequest, forbidden, notFound, unauthorized } from '../http/api-error';
import { CredentialsRepository } from './credentials.repository';
import type { Principal } from './principal';

export interface AuthHeaders {
  authorization?: string;
  'x-agora-token'?: string;
  'x-agora-uid'?: string;
}

const BASIC = /^Basic ([A-Za-z0-9+/=]{1,512})$/;
/** `agora token=<token>` or `agora token="<token>"` (Agora's newer samples). */
const AGORA_TOKEN = /^agora token="?([A-Za-z0-9+/=_-]{1,2048})"?$/;
const KEY = /^[0-9a-f]{32}$/;

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Agora's two ways for an app backend to authenticate: a customer key/secret (HTTP Basic; may act as
 * any user of the apps it is granted) and an RTM token of the app (006 or 007, with the uid in
 * x-agora-uid; may act only as that uid). Unknown, revoked or wrong credentials: 401; a valid one
 * for another app: 403.
 */
@Injectable()
export class ApiAuthService {
  constructor(private readonly repository: CredentialsRepository) {}

  async authenticate(appIdParam: unknown, headers: AuthHeaders): Promise<Principal> {
    if (typeof appIdParam !== 'string' || !isAppId(appIdParam)) throw badRequest('appid: 32 letters or digits', 'invalid_app_id');
    const appId = appIdParam;
    const authorization = headers.authorization?.trim();
    const basic = authorization ? BASIC.exec(authorization) : null;
    if (basic) return this.customer(appId, basic[1]!);
    const token = headers['x-agora-token'] ?? (authorization ? AGORA_TOKEN.exec(authorization)?.[1] : undefined);
    if (token) return this.token(appId, token, headers['x-agora-uid']);
    throw unauthorized('Authorization: Basic <customer key:secret>, or an RTM token (x-agora-token + x-agora-uid)');
  }

  private async customer(appId: AppId, encoded: string): Promise<Principal> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const key = colon > 0 ? decoded.slice(0, colon) : '';
    const secret = colon > 0 ? decoded.slice(colon + 1) : '';
    if (!KEY.test(key) || !secret) throw unauthorized('invalid customer credentials');
    const credential = await this.repository.findCredential(key);
    const given = Buffer.from(sha256Hex(secret), 'hex');
    const stored = Buffer.from(credential?.secretHash ?? '0'.repeat(64), 'hex');
    if (!credential || credential.revoked || stored.length !== given.length || !timingSafeEqual(stored, given)) {
      throw unauthorized('invalid customer credentials');
    }
    if (!credential.allApps && !credential.appIds.includes(appId)) throw forbidden('this credential is not granted this app');
    if (!(await this.repository.findApp(appId))) throw notFound('unknown app');
    return { appId, kind: 'customer', credentialId: credential.id };
  }

  private async token(appId: AppId, token: string, uid: string | undefined): Promise<Principal> {
    if (!isUid(uid)) throw unauthorized('x-agora-uid: the uid the token was built for');
    const app = await this.repository.findApp(appId);
    if (!app || !app.certificate) throw unauthorized('this app takes no tokens (no certificate): use a customer credential');
    const now = Date.now();
    let verdict = verifyRtmToken({ token, appId, certificate: app.certificate, uid });
    // During a rotation's overlap a token signed with the replaced certificate still verifies; any
    // other refusal (expired, another uid) is reported as it is.
    if (!verdict.ok && verdict.reason === 'BAD_SIGNATURE' && app.previous && now < app.previousUntil) {
      verdict = verifyRtmToken({ token, appId, certificate: app.previous, uid });
    }
    if (!verdict.ok) throw unauthorized(`token refused: ${verdict.reason.toLowerCase()}`);
    return { appId, kind: 'token', uid };
  }
}

/** The principal may act as `uid`: a customer credential as anyone, a token only as its own uid. */
export function requireActingAs(principal: Principal, uid: string): void {
  if (principal.kind === 'token' && principal.uid !== uid) throw forbidden('an RTM token may act only as its own uid');
}
