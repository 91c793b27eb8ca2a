import { Module } from '@nestjs/common';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { CaptureSettingsRelay } from './capture-settings-relay';
import { DeliveriesRepository } from './deliveries.repository';
import { DispatcherService } from './dispatcher.service';
import { OutboxRetentionService } from './outbox-retention.service';
import { OutboxSignal } from './outbox-signal';
import { WebhookSender } from './webhook-sender';

@Module({
  providers: [
    CaptureSettingsRelay,
    DispatcherService,
    DeliveriesRepository,
    OutboxRetentionService,
    OutboxSignal,
    {
      provide: WebhookSender,
      inject: [WEBHOOKS_CONFIG],
      useFactory: (config: Readonly<WebhooksConfig>) =>
        new WebhookSender({
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          allowHttp: config.WEBHOOK_ALLOW_HTTP,
          allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
          maxResponseBytes: config.WEBHOOK_RESPONSE_MAX_BYTES,
        }),
    },
  ],
  exports: [DispatcherService, OutboxSignal],
})
export class DispatchModule {}
