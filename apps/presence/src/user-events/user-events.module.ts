import { Module } from '@nestjs/common';
import { UserEventsController } from './user-events.controller';
import { UserEventsRepository } from './user-events.repository';
import { UserEventsService } from './user-events.service';

@Module({
  controllers: [UserEventsController],
  providers: [UserEventsService, UserEventsRepository],
})
export class UserEventsModule {}
