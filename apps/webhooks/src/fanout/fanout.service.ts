import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';
import { DispatcherService } from '../dispatch/dispatcher.service';
import { OutboxSignal } from '../dispatch/outbox-signal';
import { fannedOutEvents, skippedMessages } from '../dispatch/webhooks.metrics';
import { MessagesStream, type StreamBatch } from '../messages/messages-stream';
import { FanoutRepository } from './fanout.repository';
import { noticeOfMessage, type Notice } from './webhook-body';

/** The notices of a batch read from the messages stream (undecodable bodies skipped). */
function messageNotices(batch: StreamBatch): Notice[] {
  return batch.messages.flatMap(({ seq, message }) => (message ? [noticeOfMessage(message, String(seq))] : []));
}

/** A failed round (database or NATS unreachable) is tried again after this (± 20 %), or the idle poll if shorter. */
export const FANOUT_RETRY_MS = 3_000;

/**
 * Turns the event record and the messages stream into outbox rows. While any endpoint is enabled it
 * looks every WEBHOOK_EVENTS_POLL_MS ± 20 % (at once again after a full batch): one statement
 * (FanoutRepository.probe) and — only while an endpoint names a message type — the stream's last
 * sequence say whether either has anything new, and only then does it open the fan-out
 * transactions. With no endpoint enabled it sleeps WEBHOOK_IDLE_POLL_MS ± 20 % between probes (each
 * also skips the record's cursor ahead), and a created or enabled endpoint wakes it at once
 * (OutboxSignal, a trigger's NOTIFY). A fan-out that queued rows wakes this replica's dispatcher with
 * a call and the other replicas' with a NOTIFY sent in its transaction.
 */
@Injectable()
export class FanoutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookFanout');
  private readonly alarm = new Alarm(() => void this.tick());
  private started = false;
  private stopped = false;
  /** A wake came while a round ran: run another right after it. */
  private again = false;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: Readonly<WebhooksConfig>,
    private readonly repository: FanoutRepository,
    private readonly dispatcher: DispatcherService,
    private readonly messages: MessagesStream,
    private readonly signal: OutboxSignal,
  ) {
    signal.subscribe({ endpoint: () => this.wake() });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.ensureCursor();
    // Not fatal: every read creates a missing stream again.
    await this.messages.ensure().catch((err: Error) => this.log.warn(`messages stream: ${err.message}`));
    this.started = true;
    this.alarm.in(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.alarm.cancel();
    await this.running;
  }

  /** Looks now (an endpoint was created or enabled). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) this.again = true;
    else this.alarm.in(0);
  }

  private tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.step()
      .then((nextMs) => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          nextMs = 0;
        }
        if (!this.stopped) this.alarm.in(nextMs);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Whether the messages stream holds anything after its cursor (on doubt: yes, and the fan-out finds out). */
  private async messagesWaiting(cursor: { lastSeq: number; epoch: number }): Promise<boolean> {
    try {
      const position = await this.messages.position();
      return position === null || position.epoch !== cursor.epoch || position.lastSeq > cursor.lastSeq;
    } catch {
      return true;
    }
  }

  /** One transaction of the messages stream; its failure does not hold up the record's fan-out. */
  private async fanOutMessages(): Promise<{ rows: number; full: boolean }> {
    const max = this.config.WEBHOOK_MESSAGES_BATCH;
    try {
      const result = await this.repository.fanOutMessages((from) => this.messages.read(from, max), messageNotices, Date.now(), this.signal.duePayload);
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
      const probe = await this.repository.probe();
      if (!probe.anyEndpoint) return jittered(idle);
      const events = probe.eventsWaiting ? await this.repository.fanOut(batch, Date.now(), this.signal.duePayload) : undefined;
      // Nothing is captured unless an endpoint names a message type: no stream lookup then.
      const messages = probe.messagesWanted && (await this.messagesWaiting(probe.messages)) ? await this.fanOutMessages() : undefined;
      const rows = (events?.rows ?? 0) + (messages?.rows ?? 0);
      if (rows) {
        fannedOutEvents.add(rows);
        this.dispatcher.wake();
      }
      return (events?.events ?? 0) >= batch || messages?.full ? 0 : jittered(poll);
    } catch (err) {
      this.log.warn({ err }, 'webhook fan-out failed; retrying');
      return jittered(Math.min(idle, FANOUT_RETRY_MS));
    }
  }
}
