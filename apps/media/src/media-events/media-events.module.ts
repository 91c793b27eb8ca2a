import { Module } from '@nestjs/common';
import { MediaEventsRepository } from './media-events.repository';
import { MediaEventsService } from './media-events.service';

/** Retention of the media service's events (kind 'media'); no pull queue reads them, so no controller. */
@Module({
  providers: [MediaEventsService, MediaEventsRepository],
})
export class MediaEventsModule {}
