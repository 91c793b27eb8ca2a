import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type MediaBeginRequest, type MediaInfoRequest, type MediaReadRequest } from '@parley/contracts/internal';
import { MediaUploadsService } from './media-uploads.service';
import { MediaService } from './media.service';

/** The queue-group patterns; an upload's chunks go to the replica that began it (MediaUploadSubscriber). */
@Controller()
export class MediaController {
  constructor(
    private readonly uploads: MediaUploadsService,
    private readonly media: MediaService,
  ) {}

  @MessagePattern(Patterns.media.begin)
  begin(@Payload() req: MediaBeginRequest) {
    return this.uploads.begin(req);
  }

  @MessagePattern(Patterns.media.info)
  info(@Payload() req: MediaInfoRequest) {
    return this.media.info(req);
  }

  @MessagePattern(Patterns.media.read)
  read(@Payload() req: MediaReadRequest) {
    return this.media.read(req);
  }
}
