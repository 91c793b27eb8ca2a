import type { Logger } from '@nestjs/common';
import { createCodec, Evt, Frame, type ChannelGapEvent, type ChannelMessageEvent } from '@parley/contracts';
import type { GatewayConfig } from '../config/gateway.config';
import type { ChannelMessageNats } from './channel-messages.service';
import type { ChannelEntry, ChannelSubscriptions } from './channel-subscriptions';
import type { RecoveryStreamReader, StoredMessages } from './recovery-stream';

const codec = createCodec();
/** Server receive times come from the publishing gateway's clock, the gap's start from ours. */
export const CLOCK_SLACK_MS = 2_000;
/** Channels read from the stream at once after a reconnect (each read is a few JetStream requests). */
const CONCURRENCY = 8;

/**
 * While this gateway's NATS connection is down, core NATS delivers it nothing: its members miss
 * every channel message published meanwhile. When the connection is back, each channel it holds
 * members of is read from the recovery stream; what is there and was not seen here (SeenMessages)
 * is pushed to the members, flagged `rec` like a rejoin's replay. When the stream cannot vouch for
 * the whole gap — it was created again after the gap began (a NATS restart loses it), the gap is
 * older than it keeps, the channel overflowed it, or it cannot be read — the messages carry `lost`
 * and every member gets CHANNEL_GAP, so the app knows messages may be missing.
 */
export class ChannelCatchUp {
  private gapStart: number | null = null;

  constructor(
    private readonly stream: RecoveryStreamReader,
    private readonly subscriptions: ChannelSubscriptions,
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
  ) {}

  disconnected(now = Date.now()): void {
    this.gapStart ??= now;
  }

  async reconnected(now = Date.now()): Promise<void> {
    if (this.gapStart === null) return;
    const since = this.gapStart - CLOCK_SLACK_MS;
    this.gapStart = null;
    const created = await this.stream.createdAt().catch((err: Error) => {
      this.logger.warn(`recovery stream unavailable after a NATS reconnect: ${err.message}`);
      return null;
    });
    const streamCovers = created !== null && created <= since && now - since <= this.config.RECOVERY_MAX_AGE_MS;
    const channels = this.subscriptions.channels();
    let gaps = 0;
    const work = async () => {
      for (let entry = channels.pop(); entry; entry = channels.pop()) {
        if (!(await this.catchUp(entry, since, streamCovers, created !== null))) gaps++;
      }
    };
    const total = channels.length;
    await Promise.all(Array.from({ length: CONCURRENCY }, work));
    this.logger.log({ msg: 'channels caught up after a NATS reconnect', channels: total, incomplete: gaps, since, streamCovers });
  }

  /** Catches one channel's members up; resolves whether nothing they missed was lost. */
  private async catchUp(entry: ChannelEntry, since: number, streamCovers: boolean, streamExists: boolean): Promise<boolean> {
    let stored: StoredMessages | null = null;
    if (streamExists) {
      stored = await this.stream.read(entry.appId, entry.ch).catch((err: Error) => {
        this.logger.warn(`catch-up of channel ${entry.ch} failed: ${err.message}`);
        return null;
      });
    }
    const messages = stored?.messages ?? [];
    const missed = messages.filter((m) => m.ts >= since && !entry.seen.has(m.from, m.id));
    // A full stream whose oldest message is already one we missed may have dropped older ones we missed too.
    const oldest = messages[0];
    const overflowed =
      (stored?.stored ?? 0) >= this.config.RECOVERY_MAX_MESSAGES && oldest !== undefined && oldest.ts >= since && !entry.seen.has(oldest.from, oldest.id);
    const complete = streamCovers && stored !== null && !overflowed;
    for (const m of missed) entry.seen.note(m.from, m.id);
    for (const m of missed) this.push(entry, m, complete);
    if (!complete) {
      const gap: ChannelGapEvent = { ch: entry.ch, since };
      const frame = codec.encode([Frame.EVT, Evt.CHANNEL_GAP, gap]);
      for (const member of entry.members) member.conn?.sendEncoded(frame);
    }
    return complete;
  }

  private push(entry: ChannelEntry, m: ChannelMessageNats, complete: boolean): void {
    const event: ChannelMessageEvent = { ch: entry.ch, from: m.from, id: m.id, m: m.m, ts: m.ts, rec: true, ...(complete ? {} : { lost: true }) };
    const frame = codec.encode([Frame.EVT, Evt.CHANNEL_MESSAGE, event]);
    for (const member of entry.members) if (member.uid !== m.from) member.conn?.sendEncoded(frame);
  }
}
