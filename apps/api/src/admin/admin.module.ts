import { Module } from '@nestjs/common';
import { AdminAppsController } from './admin-apps.controller';
import { AdminAppsRepository } from './admin-apps.repository';
import { AdminAppsService } from './admin-apps.service';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminCredentialsRepository } from './admin-credentials.repository';
import { AdminCredentialsService } from './admin-credentials.service';
import { AdminWebhooksController } from './admin-webhooks.controller';
import { AdminWebhooksRepository } from './admin-webhooks.repository';
import { AdminWebhooksService } from './admin-webhooks.service';
import { AdminGuard } from './admin.guard';
import { WebhookPingClient } from './webhook-ping.client';

/** The admin API (/v1/admin): apps, certificates, customer credentials, webhook endpoints. */
@Module({
  controllers: [AdminAppsController, AdminCredentialsController, AdminWebhooksController],
  providers: [
    AdminGuard,
    AdminAppsRepository,
    AdminAppsService,
    AdminCredentialsRepository,
    AdminCredentialsService,
    AdminWebhooksRepository,
    AdminWebhooksService,
    WebhookPingClient,
  ],
})
export class AdminModule {}
