import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MetadataService } from './metadata.service';
import { UserMetadataSubscriptionsService } from './user-metadata-subscriptions.service';
import { UserMetadataWatch } from './user-metadata-watch';

const providers = [MetadataService, UserMetadataSubscriptionsService, UserMetadataWatch];

/** User and channel metadata (agora-rtm 1.6.0): writes, reads, user-metadata subscriptions, channel fan-out. */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers,
  exports: providers,
})
export class MetadataModule {}
