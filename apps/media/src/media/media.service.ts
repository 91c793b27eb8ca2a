import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, ParleyError, type MediaInfo } from '@parley/contracts';
import { type MediaInfoRequest, type MediaReadRequest } from '@parley/contracts/internal';
import { MEDIA_CONFIG, type MediaConfig } from '../config/media.config';
import { checkMediaRef, checkRead, readRange, type MediaRef } from './media-rules';
import { downloadedBytes } from './media.metrics';
import { MediaRepository, type StoredMedia } from './media.repository';
import { MediaStorage, ObjectNotFoundError } from './media-storage';

/** Downloads: a media's info, then its bytes in ranges, from any replica. */
@Injectable()
export class MediaService {
  constructor(
    private readonly repository: MediaRepository,
    private readonly storage: MediaStorage,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
  ) {}

  async info(req: MediaInfoRequest): Promise<MediaInfo> {
    return (await this.stored(checkMediaRef(req))).info;
  }

  async read(req: MediaReadRequest): Promise<Buffer> {
    const read = checkRead(req);
    const media = await this.stored(read);
    const { offset, length } = readRange(read, media.info.size, this.config.MEDIA_READ_MAX_BYTES);
    try {
      const bytes = await this.storage.read(media.objectKey, offset, length);
      downloadedBytes.add(bytes.length);
      return bytes;
    } catch (err) {
      // The row outlived its object (the bucket's lifecycle rule, or a sweep in progress).
      if (err instanceof ObjectNotFoundError) throw notFound();
      throw new ParleyError(ErrorCode.UNAVAILABLE, `storage: ${(err as Error).message}`);
    }
  }

  private async stored(ref: MediaRef): Promise<StoredMedia> {
    const media = await this.repository.find(ref.appId, ref.mediaId);
    if (!media) throw notFound();
    return media;
  }
}

function notFound(): ParleyError {
  return new ParleyError(ErrorCode.MEDIA_NOT_FOUND, 'no such media (unknown or expired)');
}
