import { Module } from '@nestjs/common';
import { ChannelAttributesController } from './channel-attributes.controller';
import { ChannelAttributesRepository } from './channel-attributes.repository';
import { ChannelAttributesService } from './channel-attributes.service';

@Module({
  controllers: [ChannelAttributesController],
  providers: [ChannelAttributesService, ChannelAttributesRepository],
})
export class ChannelAttributesModule {}
