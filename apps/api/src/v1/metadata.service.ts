import { Injectable } from '@nestjs/common';
import type { AppId, MetadataData } from '@parley/contracts';
import { MetadataOp, type MetadataWriteBody as ServiceWriteBody } from '@parley/contracts/internal';
import { requireActingAs } from '../auth/api-auth.service';
import type { Principal } from '../auth/principal';
import { ServicesClient } from '../clients/services.client';
import { SharedRateLimits } from '../http/shared-rate-limits';
import { actingUid } from './attributes.service';
import type { MetadataDeleteQuery, MetadataWriteBody } from './metadata.schemas';

/** PUT sets (replaces), POST adds, PATCH updates, DELETE removes keys or (all=true) everything. */
export type MetadataVerb = 'put' | 'post' | 'patch';

const OPS: Record<MetadataVerb, MetadataOp> = { put: MetadataOp.SET, post: MetadataOp.ADD, patch: MetadataOp.UPDATE };

/** The attributes service's write body for a route's body, made as `author`. */
function written(verb: MetadataVerb, body: MetadataWriteBody, author: string): ServiceWriteBody {
  const out: ServiceWriteBody = { op: OPS[verb], author, items: body.items };
  if (body.majorRevision !== undefined) out.majorRevision = body.majorRevision;
  if (body.enableRecordTs !== undefined) out.recordTs = body.enableRecordTs;
  if (body.enableRecordUserId !== undefined) out.recordUserId = body.enableRecordUserId;
  return out;
}

function deleted(q: MetadataDeleteQuery, author: string): ServiceWriteBody {
  const out: ServiceWriteBody =
    q.all === 'true'
      ? { op: MetadataOp.CLEAR, author }
      : {
          op: MetadataOp.DELETE,
          author,
          items: (q.keys ?? []).map((key, i) => (q.revisions === undefined ? { key } : { key, revision: q.revisions[i]! })),
        };
  if (q.majorRevision !== undefined) out.majorRevision = q.majorRevision;
  return out;
}

const toBody = (md: MetadataData) => ({ majorRevision: md.majorRevision, items: md.items });

/**
 * User and channel metadata for app backends, through the attributes service exactly as the SDK's
 * (same rules, revisions, compare-and-set, events to subscribers and members). A user's metadata
 * persists beyond its logins, so a user need not be logged in. The acting uid (X-Parley-Uid, the
 * token's uid, or "server") is the authorUserId of enableRecordUserId writes.
 */
@Injectable()
export class MetadataService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async userMetadata(appId: AppId, uid: string, requestId: string) {
    this.limits.take('query', appId);
    return { metadata: toBody(await this.services.userMetadata({ appId, uid })), request_id: requestId };
  }

  writeUser(caller: Principal, uid: string, as: string | undefined, verb: MetadataVerb, body: MetadataWriteBody, requestId: string) {
    return this.userWrite(caller, uid, (author) => written(verb, body, author), as, requestId);
  }

  deleteUser(caller: Principal, uid: string, as: string | undefined, q: MetadataDeleteQuery, requestId: string) {
    return this.userWrite(caller, uid, (author) => deleted(q, author), as, requestId);
  }

  async channelMetadata(appId: AppId, ch: string, requestId: string) {
    this.limits.take('query', appId);
    return { metadata: toBody(await this.services.channelMetadata({ appId, ch })), request_id: requestId };
  }

  writeChannel(caller: Principal, ch: string, as: string | undefined, verb: MetadataVerb, body: MetadataWriteBody, requestId: string) {
    return this.channelWrite(caller, ch, (author) => written(verb, body, author), as, requestId);
  }

  deleteChannel(caller: Principal, ch: string, as: string | undefined, q: MetadataDeleteQuery, requestId: string) {
    return this.channelWrite(caller, ch, (author) => deleted(q, author), as, requestId);
  }

  /** A user's set: an RTM token writes only its own uid's (403), a customer credential any. */
  private async userWrite(caller: Principal, uid: string, change: (author: string) => ServiceWriteBody, as: string | undefined, requestId: string) {
    requireActingAs(caller, uid);
    const author = actingUid(caller, as);
    this.limits.take('query', caller.appId);
    const { majorRevision } = await this.services.writeUserMetadata({ appId: caller.appId, uid, ...change(author) });
    return { majorRevision, request_id: requestId };
  }

  private async channelWrite(caller: Principal, ch: string, change: (author: string) => ServiceWriteBody, as: string | undefined, requestId: string) {
    const author = actingUid(caller, as);
    this.limits.take('query', caller.appId);
    const { majorRevision } = await this.services.writeChannelMetadata({ appId: caller.appId, ch, ...change(author) });
    return { majorRevision, request_id: requestId };
  }
}
