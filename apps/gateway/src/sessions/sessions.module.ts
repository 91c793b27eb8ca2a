import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { SessionsService } from './sessions.service';
import { PeerRoute } from './peer-route';
import { UserSubscriptions } from './user-subscriptions';

/** Login, logout, renewal, kicks and the reconnect window; the user subjects of the sessions held here and this gateway's peer route. */
@Module({
  imports: [AuthModule, ClientsModule],
  providers: [SessionsService, UserSubscriptions, PeerRoute],
  exports: [SessionsService, UserSubscriptions, PeerRoute],
})
export class SessionsModule {}
