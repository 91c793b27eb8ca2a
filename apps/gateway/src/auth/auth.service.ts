import { Injectable } from '@nestjs/common';
import { ErrorCode, isAppId, isUid, ParleyError, type AppId, type Uid } from '@parley/contracts';
import { verifyRtmToken, type TokenRejection } from '@parley/tokens';
import { AppsRepository } from './apps.repository';

export interface Credentials {
  appId: AppId;
  uid: Uid;
  /** Unix ms when the login privilege ends; 0 = never (static app). */
  tokenExpiresAt: number;
}

/** Login error codes of agora-rtm 1.x (spec §6.2) for each way a token can be wrong. */
const REJECTION: Record<TokenRejection, ErrorCode> = {
  MALFORMED: ErrorCode.INVALID_TOKEN,
  WRONG_APP: ErrorCode.INVALID_TOKEN,
  BAD_SIGNATURE: ErrorCode.INVALID_TOKEN,
  NO_RTM_PRIVILEGE: ErrorCode.INVALID_TOKEN,
  WRONG_UID: ErrorCode.INVALID_USER_ID,
  EXPIRED: ErrorCode.TOKEN_EXPIRED,
};

@Injectable()
export class AuthService {
  constructor(private readonly apps: AppsRepository) {}

  /**
   * Static apps (no certificate) take no token (an empty token or the app id itself is tolerated);
   * certified apps require a valid 006/007 token for this app and uid, signed with its certificate or,
   * until the end of a rotation's overlap, with the certificate the rotation replaced.
   */
  async authenticate(appId: unknown, uid: unknown, token: unknown): Promise<Credentials> {
    if (!isAppId(appId)) throw new ParleyError(ErrorCode.INVALID_APP_ID, 'app id must be 32 letters or digits');
    if (!isUid(uid)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid uid');
    if (token !== undefined && token !== null && typeof token !== 'string') {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'token must be a string');
    }
    const app = await this.apps.find(appId);
    if (!app) throw new ParleyError(ErrorCode.INVALID_APP_ID, 'unknown app id');
    const given = token ? token : undefined;
    if (!app.certificate) {
      if (given !== undefined && given !== appId) {
        throw new ParleyError(ErrorCode.INVALID_TOKEN, 'this app has no certificate: log in without a token');
      }
      return { appId, uid, tokenExpiresAt: 0 };
    }
    if (given === undefined) throw new ParleyError(ErrorCode.INVALID_TOKEN, 'this app requires a token');
    let verdict = verifyRtmToken({ token: given, appId, certificate: app.certificate, uid });
    // During a rotation's overlap, tokens signed with the replaced certificate still verify. Only a
    // signature mismatch is retried: every other check is the same whichever certificate signed.
    if (!verdict.ok && verdict.reason === 'BAD_SIGNATURE' && app.previous && Date.now() < app.previousUntil) {
      verdict = verifyRtmToken({ token: given, appId, certificate: app.previous, uid });
    }
    if (!verdict.ok) throw new ParleyError(REJECTION[verdict.reason], `token refused: ${verdict.reason}`);
    return { appId, uid, tokenExpiresAt: verdict.expiresAt * 1000 };
  }
}
