import { Module } from '@nestjs/common';
import { ChannelMessageDelivery } from './channel-delivery';
import { HistoryCapture } from './history-capture';
import { MessageCapture } from './message-capture';
import { PeerMessageDelivery } from './peer-delivery';
import { PeerRoutes } from './peer-routes';

/** Peer and channel message delivery for the gateway and the server API (needs the app's NatsModule and PrismaModule). */
@Module({
  providers: [PeerRoutes, PeerMessageDelivery, ChannelMessageDelivery, MessageCapture, HistoryCapture],
  exports: [PeerMessageDelivery, ChannelMessageDelivery, MessageCapture, HistoryCapture],
})
export class DeliveryModule {}
