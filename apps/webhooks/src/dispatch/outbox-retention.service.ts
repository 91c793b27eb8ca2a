import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { CachedValue } from '@parley/platform/telemetry';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { DeliveriesRepository } from './deliveries.repository';
import { APP_PENDING_THRESHOLDS, appsPending, pendingDeliveries } from './webhooks.metrics';

const BATCH = 5_000;

/**
 * Deletes delivered rows WEBHOOK_DELIVERED_RETENTION_MS after delivery and dead rows one retry horizon
 * after they died (time for the admin API's failures list and replay), every WEBHOOK_SWEEP_MS ± 20 %;
 * and serves the pending gauges (in all, and apps over thresholds).
 */
@Injectable()
export class OutboxRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookOutboxRetention');
  private readonly alarm = new Alarm(() => void this.sweep());
  private removeGauge?: () => void;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: Readonly<WebhooksConfig>,
    private readonly repository: DeliveriesRepository,
  ) {}

  onApplicationBootstrap(): void {
    const pending = new CachedValue(() => this.repository.pendingCounts(APP_PENDING_THRESHOLDS), this.config.METRICS_REFRESH_MS);
    const removeTotal = pendingDeliveries.observe(async (report) => report((await pending.get()).total));
    const removeApps = appsPending.observe(async (report) => {
      const { appsOver } = await pending.get();
      APP_PENDING_THRESHOLDS.forEach((over, i) => report(appsOver[i] ?? 0, { over: String(over) }));
    });
    this.removeGauge = () => {
      removeTotal();
      removeApps();
    };
    this.alarm.in(jittered(this.config.WEBHOOK_SWEEP_MS));
  }

  onApplicationShutdown(): void {
    this.alarm.cancel();
    this.removeGauge?.();
  }

  private async sweep(): Promise<void> {
    try {
      const deadMs = 2 * this.config.WEBHOOK_RETRY_HORIZON_MS;
      while ((await this.repository.deleteExpired(this.config.WEBHOOK_DELIVERED_RETENTION_MS, deadMs, BATCH)) >= BATCH);
    } catch (err) {
      this.log.warn({ err }, 'deleting expired webhook deliveries failed');
    }
    this.alarm.in(jittered(this.config.WEBHOOK_SWEEP_MS));
  }
}
