import { Module } from '@nestjs/common';
import { AttributesService } from '../attributes/attributes.service';
import { AuthModule } from '../auth/auth.module';
import { InvitationsService } from '../invitations/invitations.service';
import { MediaService } from '../media/media.service';
import { GatewayGauges } from '../metrics/gateway-gauges';
import { ChannelMessagesService } from '../channels/channel-messages.service';
import { ChannelRecovery } from '../channels/channel-recovery';
import { ChannelSubscriptions } from '../channels/channel-subscriptions';
import { ChannelsService } from '../channels/channels.service';
import { PeerMessagesService } from '../messages/peer-messages.service';
import { PresenceClient } from '../presence/presence.client';
import { SessionsService } from '../sessions/sessions.service';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import { OnlineStatusService } from '../status/online-status.service';
import { StatusSubscriptionsService } from '../status/status-subscriptions.service';
import { StatusWatch } from '../status/status-watch';
import { OutboundQueue } from './outbound-queue';
import { WsRouter } from './ws.router';
import { WsServer } from './ws.server';

@Module({
  imports: [AuthModule],
  providers: [
    WsServer,
    WsRouter,
    OutboundQueue,
    SessionsService,
    UserSubscriptions,
    PresenceClient,
    OnlineStatusService,
    PeerMessagesService,
    ChannelSubscriptions,
    ChannelsService,
    ChannelMessagesService,
    ChannelRecovery,
    StatusWatch,
    StatusSubscriptionsService,
    AttributesService,
    InvitationsService,
    MediaService,
    GatewayGauges,
  ],
  exports: [WsServer],
})
export class WsModule {}
