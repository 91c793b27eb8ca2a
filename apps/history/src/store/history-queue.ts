import { Inject, Injectable, Logger } from '@nestjs/common';
import { HistorySubjects, type HistoryCapture } from '@parley/contracts/internal';
import { historyStreamConfig } from '@parley/delivery';
import { isStreamNotFound, NatsBus } from '@parley/platform';
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JsMsg } from 'nats';
import { HISTORY_CONFIG, type HistoryConfig } from '../config/history.config';

/** A queue message as fetched: the captures it carries (a batch; undecodable ones dropped and counted in `dropped`). */
export interface Fetched {
  msg: JsMsg;
  captures: HistoryCapture[];
  dropped: number;
}

/**
 * The history work queue (libs/delivery historyStreamConfig) and this service's one durable pull
 * consumer on it, shared by every replica: JetStream hands each capture to one replica at a time and
 * again to another if it is not acknowledged within HISTORY_ACK_WAIT_MS (a replica that died
 * mid-batch). A capture is acknowledged only after the statement that stored it committed.
 */
@Injectable()
export class HistoryQueue {
  private readonly log = new Logger('HistoryQueue');

  constructor(
    private readonly bus: NatsBus,
    @Inject(HISTORY_CONFIG) private readonly config: Readonly<HistoryConfig>,
  ) {}

  /** Creates the stream and the consumer, or applies this replica's limits to them. */
  async ensure(): Promise<void> {
    const jsm = await this.bus.jetstreamManager();
    const stream = historyStreamConfig({ maxAgeMs: this.config.HISTORY_QUEUE_MAX_AGE_MS });
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, stream);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      await jsm.streams.add(stream).catch(async (addErr: unknown) => {
        await jsm.streams.info(stream.name).catch(() => Promise.reject(addErr));
      });
      this.log.log(`created stream ${stream.name}`);
    }
    await jsm.consumers.add(stream.name, {
      durable_name: HistorySubjects.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.config.HISTORY_ACK_WAIT_MS),
      max_ack_pending: Math.max(1_000, this.config.HISTORY_WRITE_BATCH * 4),
      max_deliver: -1,
    });
  }

  /**
   * The consumer's messages as they come (a continuous pull keeping a few buffered, a
   * new pull request at most every HISTORY_FETCH_WAIT_MS while idle). Stop it with `stop()`.
   */
  async consume(): Promise<ConsumerMessages> {
    const consumer = await this.bus.jetstream().consumers.get(HistorySubjects.stream, HistorySubjects.consumer);
    // Queue messages are batches of up to 512 KB: keep at most 64 of them buffered.
    return consumer.consume({ max_messages: 64, expires: this.config.HISTORY_FETCH_WAIT_MS });
  }

  /** A queue message: an array of encoded captures (libs/delivery HistoryCapture's batches). */
  decode(msg: JsMsg): Fetched {
    const out: Fetched = { msg, captures: [], dropped: 0 };
    let items: unknown;
    try {
      items = this.bus.decode(msg.data);
    } catch {
      items = null;
    }
    if (!Array.isArray(items)) {
      this.log.warn(`history queue: seq ${msg.seq} is not a batch of captures; dropped`);
      out.dropped = 1;
      return out;
    }
    for (const item of items) {
      const capture = item instanceof Uint8Array ? this.capture(item) : null;
      if (capture) out.captures.push(capture);
      else out.dropped++;
    }
    if (out.dropped) this.log.warn(`history queue: seq ${msg.seq} held ${out.dropped} undecodable capture(s); dropped`);
    return out;
  }

  private capture(data: Uint8Array): HistoryCapture | null {
    try {
      const c = this.bus.decode(data) as HistoryCapture | null;
      if (
        c &&
        typeof c === 'object' &&
        (c.k === 'peer' || c.k === 'channel') &&
        typeof c.appId === 'string' &&
        typeof c.from === 'string' &&
        typeof c.to === 'string' &&
        typeof c.id === 'string' &&
        Number.isSafeInteger(c.ts) &&
        c.m &&
        typeof c.m === 'object'
      ) {
        return c;
      }
    } catch {
      // Counted by the caller.
    }
    return null;
  }
}
