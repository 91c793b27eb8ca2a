import { Module } from '@nestjs/common';
import { MetadataEventsRepository } from './metadata-events.repository';
import { MetadataEventsService } from './metadata-events.service';

/** Retention of the metadata writes' events (kind 'metadata'); no pull queue reads them, so no controller. */
@Module({
  providers: [MetadataEventsService, MetadataEventsRepository],
})
export class MetadataEventsModule {}
