import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { Principal } from '../auth/principal';
import { ServicesClient } from '../clients/services.client';
import { forbidden } from '../http/api-error';
import { SharedRateLimits } from '../http/shared-rate-limits';
import type { ChannelBanBody, ChannelBansQuery, KickBody } from './moderation.schemas';

/** Moderation is the app backend's: a customer credential. An RTM token (a user's) gets 403. */
export function requireCustomer(caller: Principal): AppId {
  if (caller.kind !== 'customer') throw forbidden('only a customer credential may kick or ban users');
  return caller.appId;
}

/**
 * Kicks and bans for app backends: presence ends a user's sessions and keeps its login ban, the
 * channel service removes a member and keeps its channel ban (both checked by the statements that
 * already run at login and join).
 */
@Injectable()
export class ModerationService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async kick(caller: Principal, uid: string, body: KickBody, requestId: string) {
    const appId = this.admit(caller);
    const { kicked, until } = await this.services.kick({ appId, uid, banSeconds: body.banSeconds ?? 0, reason: body.reason });
    return { kicked, until, request_id: requestId };
  }

  async userBan(caller: Principal, uid: string, requestId: string) {
    const appId = this.admit(caller);
    const { until } = await this.services.userBan({ appId, uid });
    return { banned: until !== null, until, request_id: requestId };
  }

  async liftUserBan(caller: Principal, uid: string, requestId: string) {
    const appId = this.admit(caller);
    const { lifted } = await this.services.liftUserBan({ appId, uid });
    return { lifted, request_id: requestId };
  }

  async banFromChannel(caller: Principal, ch: string, body: ChannelBanBody, requestId: string) {
    const appId = this.admit(caller);
    const { removed, until } = await this.services.banFromChannel({ appId, ch, uid: body.uid, seconds: body.seconds });
    return { uid: body.uid, removed, until, request_id: requestId };
  }

  async liftChannelBan(caller: Principal, ch: string, uid: string, requestId: string) {
    const appId = this.admit(caller);
    const { lifted } = await this.services.liftChannelBan({ appId, ch, uid });
    return { lifted, request_id: requestId };
  }

  async channelBans(caller: Principal, ch: string, page: ChannelBansQuery, requestId: string) {
    const appId = this.admit(caller);
    const { bans, next } = await this.services.channelBans({ appId, ch, limit: page.limit ?? 100, after: page.after });
    return { bans, next, request_id: requestId };
  }

  /** A customer credential, within the app's shared query rate. */
  private admit(caller: Principal): AppId {
    const appId = requireCustomer(caller);
    this.limits.take('query', appId);
    return appId;
  }
}
