import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { DispatcherService } from '../dispatch/dispatcher.service';
import { fannedOutEvents } from '../dispatch/webhooks.metrics';
import { MessagesStream, type StreamBatch } from '../messages/messages-stream';
import { skippedMessages } from '../dispatch/webhooks.metrics';
import { FanoutRepository } from './fanout.repository';
import { noticeOfMessage, type Notice } from './webhook-body';

/** The notices of a batch read from the messages stream (undecodable bodies skipped). */
function messageNotices(batch: StreamBatch): Notice[] {
  return batch.messages.flatMap(({ seq, message }) => (message ? [noticeOfMessage(message, String(seq))] : []));
}

/**
 * Turns the event record and the messages stream into outbox rows. Reads both every
 * WEBHOOK_EVENTS_POLL_MS while any endpoint is enabled (at once again after a full batch); with
 * none, one probe every WEBHOOK_IDLE_POLL_MS that also skips the record's cursor ahead. Wakes this
 * replica's dispatcher after a fan-out (the others find the rows at their next poll).
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
    private readonly messages: MessagesStream,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.ensureCursor();
    // Not fatal: every read creates a missing stream again.
    await this.messages.ensure().catch((err: Error) => this.log.warn(`messages stream: ${err.message}`));
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

  /** One transaction of the messages stream; its failure does not hold up the record's fan-out. */
  private async fanOutMessages(): Promise<{ rows: number; full: boolean }> {
    const max = this.config.WEBHOOK_MESSAGES_BATCH;
    try {
      const result = await this.repository.fanOutMessages((from) => this.messages.read(from, max), messageNotices, Date.now());
      if (result.skipped) {
        skippedMessages.add(result.skipped);
        this.log.warn(`${result.skipped} captured messages left the stream (its limits) before they were fanned out`);
      }
      return { rows: result.rows, full: result.messages >= max };
    } catch (err) {
      this.log.warn({ err }, 'messages fan-out failed; retrying');
      return { rows: 0, full: false };
    }
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
      const messages = await this.fanOutMessages();
      const rows = result.rows + messages.rows;
      if (rows) {
        fannedOutEvents.add(rows);
        this.dispatcher.wake();
      }
      return result.events >= batch || messages.full ? 0 : jittered(poll);
    } catch (err) {
      this.log.warn({ err }, 'webhook fan-out failed; retrying');
      return jittered(idle);
    }
  }
}
