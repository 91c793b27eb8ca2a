import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { SessionsService } from './sessions.service';
import { UserSubscriptions } from './user-subscriptions';

/** Login, logout, renewal, kicks and the reconnect window; the user subjects of the sessions held here. */
@Module({
  imports: [AuthModule, ClientsModule],
  providers: [SessionsService, UserSubscriptions],
  exports: [SessionsService, UserSubscriptions],
})
export class SessionsModule {}
