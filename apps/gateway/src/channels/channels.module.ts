import { Module } from '@nestjs/common';
import { DeliveryModule } from '@parley/delivery';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ChannelMessagesService } from './channel-messages.service';
import { ChannelRecovery } from './channel-recovery';
import { ChannelSubscriptions } from './channel-subscriptions';
import { ChannelsService } from './channels.service';

const providers = [ChannelSubscriptions, ChannelsService, ChannelMessagesService, ChannelRecovery];

/** Channels: joins and leaves, member events and counts, channel messages and their recovery. */
@Module({
  imports: [SessionsModule, ClientsModule, DeliveryModule],
  providers,
  exports: providers,
})
export class ChannelsModule {}
