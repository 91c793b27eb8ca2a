import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type MediaBeginRequest, type MediaInfoRequest, type MediaReadRequest } from '@parley/contracts';
import { MediaUploadsService } from './media-uploads.service';
import { MediaService } from './media.service';

/** The queue-group patterns; an upload's chunks go to the replica that began it (MediaUploadSubscriber). */
@Controller()
export class MediaController {
  constructor(
    private readonly uploads: MediaUploadsService,
    private readonly media: MediaService,
  ) {}

  @MessagePattern(Subjects.media.begin)
  begin(@Payload() req: MediaBeginRequest) {
    return this.uploads.begin(req);
  }

  @MessagePattern(Subjects.media.info)
  info(@Payload() req: MediaInfoRequest) {
    return this.media.info(req);
  }

  @MessagePattern(Subjects.media.read)
  read(@Payload() req: MediaReadRequest) {
    return this.media.read(req);
  }
}
