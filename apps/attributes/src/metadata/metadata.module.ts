import { Module } from '@nestjs/common';
import { MetadataController } from './metadata.controller';
import { MetadataRepository } from './metadata.repository';
import { MetadataService } from './metadata.service';

/** User and channel metadata (agora-rtm-sdk 1.6.0): revisions, compare-and-set, events in revision order. */
@Module({
  controllers: [MetadataController],
  providers: [MetadataService, MetadataRepository],
})
export class MetadataModule {}
