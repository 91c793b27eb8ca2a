import { Injectable } from '@nestjs/common';
import { type AttributesMap, type ChannelAttributesMap } from '@parley/contracts';
import {
  Subjects,
  type ChannelAttrsGetRequest,
  type ChannelAttrsWriteRequest,
  type UserAttrsGetRequest,
  type UserAttrsGoneRequest,
  type UserAttrsWriteRequest,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the attributes service (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class AttributesClient {
  constructor(private readonly services: ServiceClient) {}

  getUser(req: UserAttrsGetRequest): Promise<AttributesMap> {
    return this.services.requestIdempotent(Subjects.attributes.userGet, req);
  }

  getChannel(req: ChannelAttrsGetRequest): Promise<ChannelAttributesMap> {
    return this.services.requestIdempotent(Subjects.attributes.channelGet, req);
  }

  /** Not retried: a write that reached a replica which then died may have happened. */
  writeUser(req: UserAttrsWriteRequest): Promise<null> {
    return this.services.request(Subjects.attributes.userWrite, req);
  }

  /** The login ended: its user attributes go. */
  userGone(req: UserAttrsGoneRequest): Promise<unknown> {
    return this.services.request(Subjects.attributes.userGone, req);
  }

  writeChannel(req: ChannelAttrsWriteRequest): Promise<null> {
    return this.services.request(Subjects.attributes.channelWrite, req);
  }
}
