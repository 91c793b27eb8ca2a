import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subjects, type CapturedMessage } from '@parley/contracts/internal';
import { isStreamNotFound, NatsBus } from '@parley/platform';
import { DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config/webhooks.config';

/** Messages read from the stream, in sequence order. */
export interface StreamBatch {
  /** The stream's creation time (Unix ms): a cursor counted in another stream starts over. */
  epoch: number;
  /** The first sequence the stream still holds (older ones went with its limits). */
  firstSeq: number;
  /** `message` null: a body that did not decode (skipped, logged). */
  messages: Array<{ seq: number; message: CapturedMessage | null }>;
}

/**
 * The file-backed JetStream stream the gateways and server API replicas copy accepted messages to
 * (libs/delivery MessageCapture) for the message.peer / message.channel webhooks. A log under limits
 * (WEBHOOK_MESSAGES_MAX_AGE_MS, WEBHOOK_MESSAGES_MAX_BYTES): the fan-out's position in it is a row in
 * Postgres, moved in the transaction that queues the deliveries (docs/architecture.md, "Webhooks").
 */
@Injectable()
export class MessagesStream {
  private readonly log = new Logger('WebhookMessagesStream');
  private jsm?: JetStreamManager;

  constructor(
    private readonly bus: NatsBus,
    @Inject(WEBHOOKS_CONFIG) private readonly config: Readonly<WebhooksConfig>,
  ) {}

  /** Creates the stream, or applies this replica's limits to it. */
  async ensure(): Promise<void> {
    const jsm = await this.manager();
    try {
      await jsm.streams.info(Subjects.capturedMessagesStream);
      await jsm.streams.update(Subjects.capturedMessagesStream, this.streamConfig());
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      await jsm.streams.add(this.streamConfig()).catch(async (addErr: unknown) => {
        // Another replica may have created it first.
        await jsm.streams.info(Subjects.capturedMessagesStream).catch(() => Promise.reject(addErr));
      });
      this.log.log(`created stream ${Subjects.capturedMessagesStream}`);
    }
  }

  /** The stream's creation time (Unix ms) and last sequence, without reading; null: no stream yet. */
  async position(): Promise<{ epoch: number; lastSeq: number } | null> {
    const jsm = await this.manager();
    try {
      const info = await jsm.streams.info(Subjects.capturedMessagesStream);
      return { epoch: Date.parse(info.created), lastSeq: info.state.last_seq };
    } catch (err) {
      if (isStreamNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Up to `max` messages from `fromSeq` on (or from the stream's first, when those went with its
   * limits); none when the stream holds nothing newer. A missing stream is created (empty).
   */
  async read(fromSeq: number, max: number): Promise<StreamBatch> {
    const jsm = await this.manager();
    let info;
    try {
      info = await jsm.streams.info(Subjects.capturedMessagesStream);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      await this.ensure();
      info = await jsm.streams.info(Subjects.capturedMessagesStream);
    }
    const epoch = Date.parse(info.created);
    const { first_seq: firstSeq, last_seq: lastSeq } = info.state;
    const start = Math.max(fromSeq, firstSeq);
    const messages: StreamBatch['messages'] = [];
    if (lastSeq < start || info.state.messages === 0) return { epoch, firstSeq, messages };
    const want = Math.min(max, lastSeq - start + 1);
    const consumer = await this.bus.jetstream().consumers.get(Subjects.capturedMessagesStream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    const fetched = await consumer.fetch({ max_messages: want, expires: 2_000 });
    for await (const m of fetched) {
      const message = this.decode(m.seq, m.data);
      if (message) messages.push({ seq: m.seq, message });
      else messages.push({ seq: m.seq, message: null });
      if (messages.length >= want) break;
    }
    await consumer.delete().catch(() => undefined);
    return { epoch, firstSeq, messages };
  }

  private decode(seq: number, data: Uint8Array): CapturedMessage | null {
    try {
      const m = this.bus.decode(data) as CapturedMessage | null;
      if (m && typeof m === 'object' && (m.k === 'peer' || m.k === 'channel') && typeof m.appId === 'string' && m.m && typeof m.m === 'object') return m;
    } catch {
      // Logged below.
    }
    this.log.warn(`messages stream: seq ${seq} is not a captured message; skipped`);
    return null;
  }

  private async manager(): Promise<JetStreamManager> {
    return (this.jsm ??= await this.bus.jetstreamManager());
  }

  private streamConfig(): Partial<StreamConfig> {
    return {
      name: Subjects.capturedMessagesStream,
      subjects: [Subjects.allCapturedMessages],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(this.config.WEBHOOK_MESSAGES_MAX_AGE_MS),
      max_bytes: this.config.WEBHOOK_MESSAGES_MAX_BYTES,
      num_replicas: 1,
    };
  }
}
