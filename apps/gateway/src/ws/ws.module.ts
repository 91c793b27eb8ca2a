import { Module } from '@nestjs/common';
import { AttributesModule } from '../attributes/attributes.module';
import { ChannelsModule } from '../channels/channels.module';
import { ClientsModule } from '../clients/clients.module';
import { HistoryModule } from '../history/history.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MediaModule } from '../media/media.module';
import { MetadataModule } from '../metadata/metadata.module';
import { PeerMessagesModule } from '../peer-messages/peer-messages.module';
import { SessionsModule } from '../sessions/sessions.module';
import { StatusModule } from '../status/status.module';
import { TransportModule } from '../transport/transport.module';
import { GatewayStatsResponder } from './gateway-stats.responder';
import { InboundRouter } from './inbound.router';
import { GatewayGauges } from './ws.gauges';
import { WsRouter } from './ws.router';
import { WsServer } from './ws.server';

/**
 * The gateway's composition root, the top floor: the WebSocket endpoint, the routing tables (client
 * ops → WsRouter, NATS and session lifecycle → InboundRouter) and the gauges. Below it, one module
 * per feature; below those, sessions; below everything, transport and the service clients.
 */
@Module({
  imports: [
    TransportModule,
    ClientsModule,
    SessionsModule,
    PeerMessagesModule,
    ChannelsModule,
    StatusModule,
    AttributesModule,
    InvitationsModule,
    MediaModule,
    MetadataModule,
    HistoryModule,
  ],
  providers: [WsServer, WsRouter, InboundRouter, GatewayGauges, GatewayStatsResponder],
  exports: [WsServer],
})
export class WsModule {}
