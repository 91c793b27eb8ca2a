import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { DispatcherService } from '../dispatch/dispatcher.service';
import { fannedOutEvents } from '../dispatch/webhooks.metrics';
import { FanoutRepository } from './fanout.repository';

/**
 * Turns the event record into outbox rows. Reads the record every WEBHOOK_EVENTS_POLL_MS while any
 * endpoint is enabled (at once again after a full batch); with none, one probe every
 * WEBHOOK_IDLE_POLL_MS that also skips the cursor ahead. Wakes this replica's dispatcher after a
 * fan-out (the others find the rows at their next poll).
 */
@Injectable()
export class FanoutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookFanout');
  private readonly alarm = new Alarm(() => void this.tick());
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: Readonly<WebhooksConfig>,
    private readonly repository: FanoutRepository,
    private readonly dispatcher: DispatcherService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.ensureCursor();
    this.alarm.in(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.alarm.cancel();
    await this.running;
  }

  private tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running = this.step()
      .then((nextMs) => {
        if (!this.stopped) this.alarm.in(nextMs);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** One round; returns when to run the next. */
  private async step(): Promise<number> {
    const { WEBHOOK_EVENTS_POLL_MS: poll, WEBHOOK_IDLE_POLL_MS: idle, WEBHOOK_FANOUT_BATCH: batch } = this.config;
    try {
      if (!(await this.repository.anyEnabledEndpoint())) {
        await this.repository.skipAhead();
        return jittered(idle);
      }
      const result = await this.repository.fanOut(batch, Date.now());
      if (result.rows) {
        fannedOutEvents.add(result.rows);
        this.dispatcher.wake();
      }
      return result.events >= batch ? 0 : jittered(poll);
    } catch (err) {
      this.log.warn({ err }, 'webhook fan-out failed; retrying');
      return jittered(idle);
    }
  }
}
