import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { HistoryCapture } from '@parley/contracts/internal';
import { counter, histogram } from '@parley/platform/telemetry';
import type { ConsumerMessages } from 'nats';
import { HISTORY_CONFIG, type HistoryConfig } from '../config/history.config';
import { HistoryQueue, type Fetched } from './history-queue';
import { HistoryStoreRepository } from './history-store.repository';
import { dayOf, PartitionsRepository } from './partitions.repository';

const stored = counter('parley.history.stored', 'Captured messages inserted into the history (new rows; a redelivered capture is not counted)').bind();
const dropped = counter('parley.history.dropped', 'Captures dropped by the history writer, by reason');
const droppedUndecodable = dropped.bind({ reason: 'undecodable' });
const droppedExpired = dropped.bind({ reason: 'expired' });
const lag = histogram(
  'parley.history.capture_lag',
  'Time from a message’s serverReceivedTs to its insert commit',
  's',
  [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
).bind();

/** Pause before a failed batch's captures come back (a nak with this delay). */
const RETRY_DELAY_MS = 1_000;

/**
 * Moves captures from the history work queue into Postgres in micro-batches: the captures taken in
 * one turn of the event loop (a statement once HISTORY_WRITE_BATCH are pending) are inserted by one statement, one statement
 * at a time per replica, and acknowledged after it committed — one message alone is stored at once,
 * a backlog in large batches. Every replica consumes the one durable consumer. A failed insert naks
 * its captures (they come back after RETRY_DELAY_MS); one whose day has no partition yet (a clock
 * ahead, a backlog across midnight) gets its partition first.
 */
@Injectable()
export class HistoryWriterService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('HistoryWriter');
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private pending: Fetched[] = [];
  private pendingCaptures = 0;
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly queue: HistoryQueue,
    private readonly repository: HistoryStoreRepository,
    private readonly partitions: PartitionsRepository,
    @Inject(HISTORY_CONFIG) private readonly config: Readonly<HistoryConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensure();
    const today = dayOf(Date.now());
    await this.partitions.ensure(Array.from({ length: this.config.HISTORY_PARTITIONS_AHEAD_DAYS + 1 }, (_, i) => today + i * 86_400_000));
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
    await this.flush();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.messages = await this.queue.consume();
        for await (const msg of this.messages) {
          const fetched = this.queue.decode(msg);
          this.pending.push(fetched);
          this.pendingCaptures += fetched.captures.length;
          if (this.pendingCaptures >= this.config.HISTORY_WRITE_BATCH) await this.flush();
          else this.schedule();
        }
      } catch (err) {
        this.log.warn(`history queue consumer failed (restarted): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS).unref());
      }
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Writes what is pending, after the write before it (one statement at a time). */
  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        this.pendingCaptures = 0;
        try {
          await this.write(batch);
        } catch (err) {
          this.log.warn(`history batch of ${batch.length} failed (redelivered): ${(err as Error).message}`);
          for (const f of batch) f.msg.nak(RETRY_DELAY_MS);
        }
      }
    });
    return this.writing;
  }

  /** Stores one batch and acknowledges it; throws (nothing acknowledged) when the insert fails. */
  async write(batch: readonly Fetched[]): Promise<void> {
    const oldest = Date.now() - this.config.HISTORY_QUEUE_MAX_AGE_MS;
    const keep: HistoryCapture[] = [];
    for (const f of batch) {
      if (f.dropped) droppedUndecodable.add(f.dropped);
      for (const c of f.captures) {
        if (c.ts < oldest) droppedExpired.add();
        else keep.push(c);
      }
    }
    const inserted = await this.insert(keep);
    for (const f of batch) f.msg.ack();
    stored.add(inserted);
    const now = Date.now();
    for (const c of keep) lag.record((now - c.ts) / 1000);
  }

  private async insert(captures: readonly HistoryCapture[]): Promise<number> {
    try {
      return await this.repository.insert(captures);
    } catch (err) {
      if (!/no partition of relation/i.test((err as Error).message)) throw err;
      await this.partitions.ensure(captures.map((c) => dayOf(c.ts)));
      return this.repository.insert(captures);
    }
  }
}
