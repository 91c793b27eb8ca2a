import { Module } from '@nestjs/common';
import { AttributesClient } from './attributes.client';
import { ChannelClient } from './channel.client';
import { HistoryClient } from './history.client';
import { InvitationClient } from './invitation.client';
import { MediaClient } from './media.client';
import { MetadataClient } from './metadata.client';
import { OfflineClient } from './offline.client';
import { PresenceClient } from './presence.client';

const clients = [PresenceClient, ChannelClient, AttributesClient, InvitationClient, MediaClient, OfflineClient, MetadataClient, HistoryClient];

/** Typed clients of the services behind NATS: every service request of the gateway goes through one (timeouts: SERVICE_TIMEOUT_MS). */
@Module({
  providers: clients,
  exports: clients,
})
export class ClientsModule {}
