import { Module } from '@nestjs/common';
import { DeliveryModule } from '@parley/delivery';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { PeerMessagesService } from './peer-messages.service';

/** Peer messages: delivery with the receiver's ACK, offline storage and its flush. */
@Module({
  imports: [SessionsModule, ClientsModule, DeliveryModule],
  providers: [PeerMessagesService],
  exports: [PeerMessagesService],
})
export class PeerMessagesModule {}
