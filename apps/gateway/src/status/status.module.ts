import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { OnlineStatusService } from './online-status.service';
import { StatusSubscriptionsService } from './status-subscriptions.service';
import { StatusWatch } from './status-watch';

const providers = [OnlineStatusService, StatusSubscriptionsService, StatusWatch];

/** Online status: queries and subscriptions to other users' status. */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers,
  exports: providers,
})
export class StatusModule {}
