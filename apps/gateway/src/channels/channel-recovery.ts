import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChanMsgKind, createCodec, Evt, Subjects, type AppId, type ChannelMessageEvent } from '@parley/contracts';
import { InjectNats } from '@parley/platform';
import { DeliverPolicy, type NatsConnection } from 'nats';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../sessions/session';
import type { ChannelMessageNats } from './channel-messages.service';

const codec = createCodec();
/** Server receive time is stamped before publish; the stream's own time is a little later. */
const CLOCK_SLACK_MS = 2_000;

/**
 * Replays the channel messages a member missed while it was away, from the JetStream recovery
 * stream (≤ RECOVERY_MAX_MESSAGES per channel, ≤ RECOVERY_MAX_AGE_MS old).
 */
@Injectable()
export class ChannelRecovery {
  private readonly logger = new Logger(ChannelRecovery.name);

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Pushes what the session missed since `since`; resolves whether nothing missed was lost. */
  async replay(session: Session, ch: string, since: number, seen: unknown): Promise<boolean> {
    const seenIds = new Set(Array.isArray(seen) ? seen.filter((s): s is string => typeof s === 'string') : []);
    let missed: ChannelMessageNats[];
    let stored = 0;
    try {
      ({ missed, stored } = await this.read(session.appId as AppId, ch, since));
    } catch (err) {
      this.logger.warn(`recovery of ${ch} failed: ${(err as Error).message}`);
      return false;
    }
    const wanted = missed.filter((m) => m.from !== session.uid && (m.ts > since || (m.ts === since && !seenIds.has(m.id))));
    const replay = wanted.slice(-this.config.RECOVERY_MAX_MESSAGES);
    // Lost when older messages may have left the stream: the gap is older than the stream keeps, or
    // the channel's stream is full and its oldest message is already past `since`.
    const oldest = missed[0]?.ts ?? Infinity;
    const lost =
      Date.now() - since > this.config.RECOVERY_MAX_AGE_MS ||
      wanted.length > replay.length ||
      (stored >= this.config.RECOVERY_MAX_MESSAGES && oldest > since);
    for (const m of replay) {
      const event: ChannelMessageEvent = { ch, from: m.from, id: m.id, m: m.m, ts: m.ts, rec: true, ...(lost ? { lost } : {}) };
      session.conn?.event(Evt.CHANNEL_MESSAGE, event);
    }
    return !lost;
  }

  private async read(appId: AppId, ch: string, since: number): Promise<{ missed: ChannelMessageNats[]; stored: number }> {
    const js = this.nc.jetstream();
    const consumer = await js.consumers.get(Subjects.recoveryStream, {
      filterSubjects: Subjects.channelMessages(appId, ch),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(since - CLOCK_SLACK_MS).toISOString(),
    });
    const pending = (await consumer.info()).num_pending;
    const missed: ChannelMessageNats[] = [];
    if (pending > 0) {
      const batch = await consumer.fetch({ max_messages: pending, expires: 2_000 });
      for await (const msg of batch) {
        const decoded = codec.decode(msg.data) as [number, ChannelMessageNats];
        if (decoded?.[0] === ChanMsgKind.MESSAGE) missed.push(decoded[1]);
        if (msg.info.pending === 0) break;
      }
    }
    return { missed, stored: pending };
  }
}
