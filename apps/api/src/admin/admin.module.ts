import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { AdminAppsController } from './admin-apps.controller';
import { AdminAppsRepository } from './admin-apps.repository';
import { AdminAppsService } from './admin-apps.service';
import { AdminConsoleController } from './admin-console.controller';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminCredentialsRepository } from './admin-credentials.repository';
import { AdminCredentialsService } from './admin-credentials.service';
import { AdminWebhooksController } from './admin-webhooks.controller';
import { AdminWebhooksRepository } from './admin-webhooks.repository';
import { AdminWebhooksService } from './admin-webhooks.service';
import { AdminLookupService } from './admin-lookup.service';
import { AdminStatsService } from './admin-stats.service';
import { AdminTokensService } from './admin-tokens.service';
import { AdminGuard } from './admin.guard';
import { WebhookPingClient } from './webhook-ping.client';

/**
 * The admin API (/v1/admin): apps, certificates, customer credentials, webhook endpoints; and for the
 * operator console: login tokens, live counts, user and channel lookups.
 */
@Module({
  imports: [ClientsModule],
  controllers: [AdminAppsController, AdminCredentialsController, AdminWebhooksController, AdminConsoleController],
  providers: [
    AdminGuard,
    AdminAppsRepository,
    AdminAppsService,
    AdminCredentialsRepository,
    AdminCredentialsService,
    AdminWebhooksRepository,
    AdminWebhooksService,
    WebhookPingClient,
    AdminTokensService,
    AdminStatsService,
    AdminLookupService,
  ],
})
export class AdminModule {}
