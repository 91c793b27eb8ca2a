import { Injectable } from '@nestjs/common';
import { type MediaInfo } from '@parley/contracts';
import {
  Subjects,
  type MediaBeginReply,
  type MediaBeginRequest,
  type MediaInfoRequest,
  type MediaReadRequest,
  type MediaUploadMessage,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the media service (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class MediaClient {
  constructor(private readonly services: ServiceClient) {}

  /** Any replica takes the upload; its reply names the subject of that replica for the rest of it. */
  begin(req: MediaBeginRequest): Promise<MediaBeginReply> {
    return this.services.request(Subjects.media.begin, req);
  }

  /** A chunk, the end or a cancel of an upload, to the replica that holds it. */
  upload<T>(subject: string, msg: MediaUploadMessage): Promise<T> {
    return this.services.request(subject, msg);
  }

  info(req: MediaInfoRequest): Promise<MediaInfo> {
    return this.services.requestIdempotent(Subjects.media.info, req);
  }

  read(req: MediaReadRequest): Promise<Uint8Array> {
    return this.services.requestIdempotent(Subjects.media.read, req);
  }
}
