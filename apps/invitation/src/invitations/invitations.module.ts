import { Module } from '@nestjs/common';
import { InvitationNotifier } from './invitation-notifier';
import { InvitationWatchService } from './invitation-watch.service';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';

@Module({
  controllers: [InvitationsController],
  providers: [InvitationsService, InvitationsRepository, InvitationNotifier, InvitationWatchService],
})
export class InvitationsModule {}
