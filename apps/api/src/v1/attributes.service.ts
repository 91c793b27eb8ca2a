import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { UserAttrsOp, type ChannelAttrsWriteRequest, type UserAttrsWriteRequest } from '@parley/contracts/internal';
import { requireActingAs } from '../auth/api-auth.service';
import type { Principal } from '../auth/principal';
import { ServicesClient } from '../clients/services.client';
import { SharedRateLimits } from '../http/shared-rate-limits';
import { SERVER_UID, type ChannelAttrsBody, type ChannelAttrsDeleteQuery, type UserAttrsBody, type UserAttrsDeleteQuery } from './attributes.schemas';

type Change = Pick<UserAttrsWriteRequest, 'op' | 'attrs' | 'keys'>;

/** PUT replaces the set, PATCH adds or updates keys, DELETE removes keys or (all=true) everything. */
export type WriteVerb = 'put' | 'patch';

function written(verb: WriteVerb, attrs: Record<string, string>): Change {
  return { op: verb === 'put' ? UserAttrsOp.SET : UserAttrsOp.ADD, attrs };
}

function deleted(q: { keys?: string[]; all?: 'true' }): Change {
  return q.all === 'true' ? { op: UserAttrsOp.CLEAR } : { op: UserAttrsOp.DELETE, keys: q.keys };
}

/**
 * The uid a channel attribute write is made as: the X-Parley-Uid header, else the token's own uid,
 * else (a customer credential) SERVER_UID. A token naming another uid: 403.
 */
export function actingUid(caller: Principal, given: string | undefined): string {
  const uid = given ?? (caller.kind === 'token' ? caller.uid : SERVER_UID);
  requireActingAs(caller, uid);
  return uid;
}

/**
 * User and channel attributes for app backends, through the attributes service exactly as the SDK's
 * (same validation, limits, locking and notifications). A user write targets the user's current
 * login (the service reads it from the session registry; no session → 404).
 */
@Injectable()
export class AttributesService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async userAttributes(caller: Principal, uid: string, keys: string[] | undefined, requestId: string) {
    this.limits.take('query', caller.appId);
    return { attributes: await this.services.userAttributes({ appId: caller.appId, uid, keys }), request_id: requestId };
  }

  writeUser(caller: Principal, uid: string, verb: WriteVerb, body: UserAttrsBody, requestId: string) {
    return this.userWrite(caller, uid, written(verb, body.attributes), requestId);
  }

  deleteUser(caller: Principal, uid: string, q: UserAttrsDeleteQuery, requestId: string) {
    return this.userWrite(caller, uid, deleted(q), requestId);
  }

  async channelAttributes(appId: AppId, ch: string, keys: string[] | undefined, requestId: string) {
    this.limits.take('query', appId);
    return { attributes: await this.services.channelAttributes({ appId, ch, keys }), request_id: requestId };
  }

  writeChannel(caller: Principal, ch: string, as: string | undefined, verb: WriteVerb, body: ChannelAttrsBody, requestId: string) {
    return this.channelWrite(caller, ch, as, written(verb, body.attributes), body.enableNotificationToChannelMembers === true, requestId);
  }

  deleteChannel(caller: Principal, ch: string, as: string | undefined, q: ChannelAttrsDeleteQuery, requestId: string) {
    return this.channelWrite(caller, ch, as, deleted(q), q.enableNotificationToChannelMembers === 'true', requestId);
  }

  private async userWrite(caller: Principal, uid: string, change: Change, requestId: string) {
    requireActingAs(caller, uid);
    this.limits.take('query', caller.appId);
    // No instanceId: the user's current login.
    const req: UserAttrsWriteRequest = { appId: caller.appId, uid, ...change };
    await this.services.writeUserAttributes(req);
    return { request_id: requestId };
  }

  private async channelWrite(caller: Principal, ch: string, as: string | undefined, change: Change, notify: boolean, requestId: string) {
    const uid = actingUid(caller, as);
    this.limits.take('query', caller.appId);
    const req: ChannelAttrsWriteRequest = { appId: caller.appId, ch, uid, notify, ...change };
    await this.services.writeChannelAttributes(req);
    return { request_id: requestId };
  }
}
