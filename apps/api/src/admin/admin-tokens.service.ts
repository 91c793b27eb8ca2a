import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { buildLoginToken } from '@parley/tokens';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { ApiError, badRequest, notFound } from '../http/api-error';
import { AdminAppsRepository } from './admin-apps.repository';
import { MINT_EXPIRE_DEFAULT_SECONDS, type AdminMintedTokenView, type MintTokenBody } from './admin-console.schemas';

/** Agora's token builders take hex app ids and certificates only. */
const HEX32 = /^[0-9a-f]{32}$/i;

/**
 * Login tokens of certified apps for the operator (the console's "log in as" on a certified app), made
 * with the app's current certificate by the same builders as `parley token`. Each one is logged.
 */
@Injectable()
export class AdminTokensService {
  private readonly logger = new Logger(AdminTokensService.name);

  constructor(
    private readonly apps: AdminAppsRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async mint(appId: AppId, body: MintTokenBody, nowMs = Date.now()): Promise<AdminMintedTokenView> {
    if (!this.config.ADMIN_TOKEN_MINTING) {
      throw new ApiError(403, 'token_minting_disabled', 'minting login tokens is disabled on this server (ADMIN_TOKEN_MINTING=false)');
    }
    const app = await this.apps.find(appId);
    if (!app) throw notFound(`unknown app ${appId}`);
    if (app.certificate === null) throw badRequest(`app ${appId} is static (no certificate): its clients log in without a token`, 'app_not_certified');
    if (!HEX32.test(appId) || !HEX32.test(app.certificate)) {
      throw badRequest(`tokens are made only for hex app ids and certificates (as Agora's); ${appId} has other letters`, 'app_not_hex');
    }
    const format = body.format ?? '007';
    const { token, expiresAt } = buildLoginToken({
      format,
      appId,
      certificate: app.certificate,
      uid: body.uid,
      expireSeconds: body.expireSeconds ?? MINT_EXPIRE_DEFAULT_SECONDS,
      nowSeconds: Math.floor(nowMs / 1000),
    });
    const expires = new Date(expiresAt * 1000).toISOString();
    this.logger.log({ msg: 'login token minted', appId, uid: body.uid, format, expiresAt: expires });
    return { token, uid: body.uid, format, expiresAt: expires };
  }
}
