import { Module } from '@nestjs/common';
import { ChannelEventsController } from './channel-events.controller';
import { ChannelEventsRepository } from './channel-events.repository';
import { ChannelEventsService } from './channel-events.service';

@Module({
  controllers: [ChannelEventsController],
  providers: [ChannelEventsService, ChannelEventsRepository],
})
export class ChannelEventsModule {}
