import { Module } from '@nestjs/common';
import { InviteEventsRepository } from './invite-events.repository';
import { InviteEventsService } from './invite-events.service';

/** Retention of the invitation service's events (kind 'invite'); no pull queue reads them, so no controller. */
@Module({
  providers: [InviteEventsService, InviteEventsRepository],
})
export class InviteEventsModule {}
