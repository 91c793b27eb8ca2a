import { Injectable } from '@nestjs/common';
import { type MetadataData, type MetadataWriteResult } from '@parley/contracts';
import {
  MetadataSubjects,
  type ChannelMetadataGetRequest,
  type ChannelMetadataWriteRequest,
  type UserMetadataGetRequest,
  type UserMetadataWriteRequest,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the attributes service's metadata (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class MetadataClient {
  constructor(private readonly services: ServiceClient) {}

  getUser(req: UserMetadataGetRequest): Promise<MetadataData> {
    return this.services.requestIdempotent(MetadataSubjects.userGet, req);
  }

  getChannel(req: ChannelMetadataGetRequest): Promise<MetadataData> {
    return this.services.requestIdempotent(MetadataSubjects.channelGet, req);
  }

  /** Not retried: a write that reached a replica which then died may have happened (a CAS would then fail). */
  writeUser(req: UserMetadataWriteRequest): Promise<MetadataWriteResult> {
    return this.services.request(MetadataSubjects.userWrite, req);
  }

  writeChannel(req: ChannelMetadataWriteRequest): Promise<MetadataWriteResult> {
    return this.services.request(MetadataSubjects.channelWrite, req);
  }
}
