import { type AppId } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { isStreamNotFound, type NatsBus } from '@parley/platform';
import { DeliverPolicy, type JetStreamManager } from 'nats';
import type { ChannelMessageNats } from './channel-messages.service';

/** How long the stream's creation time is trusted without asking again (a burst of rejoins asks once). */
const STREAM_INFO_TTL_MS = 1_000;
/**
 * A read gives up after this: nats.js retries creating an ordered consumer for a long time when the
 * server refuses it (e.g. the stream vanished in between), and a rejoin's answer waits for the read.
 */
const READ_TIMEOUT_MS = 5_000;

/** What the recovery stream holds of one channel. */
export interface StoredMessages {
  /** Oldest first. */
  messages: ChannelMessageNats[];
  /** How many the stream held from the start asked for (all of the channel's when none was asked). */
  stored: number;
}

/**
 * Reads the channel service's JetStream recovery stream (≤ RECOVERY_MAX_MESSAGES per channel,
 * ≤ RECOVERY_MAX_AGE_MS old). The stream lives in the NATS server's memory: after a NATS restart it
 * is missing until the channel service creates it again, and then it holds nothing from before its
 * creation time. A recovery that reaches back before that time cannot be complete.
 */
export class RecoveryStreamReader {
  private jsm?: JetStreamManager;
  private created: { at: number; value: Promise<number | null> } | null = null;

  constructor(private readonly bus: NatsBus) {}

  /** The channel's messages from `startTime` (Unix ms, stream time), or all it holds. */
  read(appId: AppId, ch: string, startTime?: number): Promise<StoredMessages> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading the recovery stream took over ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    return Promise.race([this.readAll(appId, ch, startTime), timeout]).finally(() => clearTimeout(timer));
  }

  private async readAll(appId: AppId, ch: string, startTime?: number): Promise<StoredMessages> {
    const js = this.bus.jetstream();
    // An ordered consumer starts at the stream's first message unless told otherwise (asking for
    // DeliverPolicy.All makes nats.js send a start sequence too, which the server refuses).
    const consumer = await js.consumers.get(Subjects.recoveryStream, {
      filterSubjects: Subjects.channelMessages(appId, ch),
      ...(startTime === undefined ? {} : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(startTime).toISOString() }),
    });
    const pending = (await consumer.info()).num_pending;
    const messages: ChannelMessageNats[] = [];
    if (pending > 0) {
      const batch = await consumer.fetch({ max_messages: pending, expires: 2_000 });
      for await (const msg of batch) {
        const decoded = this.bus.decode(msg.data) as [number, ChannelMessageNats];
        if (decoded?.[0] === ChanMsgKind.MESSAGE) messages.push(decoded[1]);
        if (msg.info.pending === 0) break;
      }
    }
    return { messages, stored: pending };
  }

  /** When the stream was created (Unix ms, NATS server clock); null while it is missing. */
  createdAt(now = Date.now()): Promise<number | null> {
    if (!this.created || now - this.created.at > STREAM_INFO_TTL_MS) {
      const value = this.fetchCreatedAt();
      this.created = { at: now, value };
      // A failed lookup is not remembered: the next caller asks again.
      value.catch(() => {
        if (this.created?.value === value) this.created = null;
      });
    }
    return this.created.value;
  }

  /** Forgets what is cached about the stream (after a reconnect it may have been lost and recreated). */
  forget(): void {
    this.created = null;
  }

  private async fetchCreatedAt(): Promise<number | null> {
    this.jsm ??= await this.bus.jetstreamManager();
    try {
      return Date.parse((await this.jsm.streams.info(Subjects.recoveryStream)).created);
    } catch (err) {
      if (isStreamNotFound(err)) return null;
      throw err;
    }
  }
}
