import { Module } from '@nestjs/common';
import { ChannelMessageDelivery } from './channel-delivery';
import { PeerMessageDelivery } from './peer-delivery';

/** Peer and channel message delivery for the gateway and the server API (needs the app's NatsModule). */
@Module({ providers: [PeerMessageDelivery, ChannelMessageDelivery], exports: [PeerMessageDelivery, ChannelMessageDelivery] })
export class DeliveryModule {}
