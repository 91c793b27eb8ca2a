import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Evt, type AppId, type ChannelMessageEvent } from '@parley/contracts';
import { NatsBus, watchConnection } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { ChannelCatchUp, CLOCK_SLACK_MS } from './channel-catch-up';
import type { ChannelMessageNats } from './channel-messages.service';
import { ChannelSubscriptions } from './channel-subscriptions';
import { RecoveryStreamReader } from './recovery-stream';

/**
 * Recovery of channel messages from the JetStream recovery stream (≤ RECOVERY_MAX_MESSAGES per
 * channel, ≤ RECOVERY_MAX_AGE_MS old): what a member missed while it was away (its rejoin), and
 * what every member on this gateway missed while the gateway was cut off from NATS (ChannelCatchUp).
 */
@Injectable()
export class ChannelRecovery implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChannelRecovery.name);
  private readonly stream: RecoveryStreamReader;
  private readonly catchUp: ChannelCatchUp;
  private stopWatching?: () => void;

  constructor(
    private readonly bus: NatsBus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    subscriptions: ChannelSubscriptions,
  ) {
    this.stream = new RecoveryStreamReader(bus);
    this.catchUp = new ChannelCatchUp(this.stream, subscriptions, config, this.logger);
  }

  onModuleInit(): void {
    this.stopWatching = watchConnection(this.bus, {
      disconnected: () => this.catchUp.disconnected(),
      reconnected: () => {
        this.stream.forget(); // a NATS restart may have dropped the stream and the channel service made a new one
        void this.catchUp.reconnected();
      },
    });
  }

  onApplicationShutdown(): void {
    this.stopWatching?.();
  }

  /** Pushes what the session missed since `since`; resolves whether nothing missed was lost. */
  async replay(session: Session, ch: string, since: number, seen: unknown): Promise<boolean> {
    const seenIds = new Set(Array.isArray(seen) ? seen.filter((s): s is string => typeof s === 'string') : []);
    let missed: ChannelMessageNats[];
    let stored = 0;
    let created: number | null;
    try {
      [{ messages: missed, stored }, created] = await Promise.all([
        this.stream.read(session.appId as AppId, ch, since - CLOCK_SLACK_MS),
        this.stream.createdAt(),
      ]);
    } catch (err) {
      // No stream (lost with a NATS restart and not created again yet), or NATS is down: nothing to replay.
      this.logger.warn(`recovery of ${ch} failed: ${(err as Error).message}`);
      return false;
    }
    const wanted = missed.filter((m) => m.from !== session.uid && (m.ts > since || (m.ts === since && !seenIds.has(m.id))));
    const replay = wanted.slice(-this.config.RECOVERY_MAX_MESSAGES);
    // Lost when older messages may have left the stream, or never reached it: the gap is older than
    // the stream keeps; the channel's stream is full and its oldest message is already past `since`;
    // or the stream is younger than the gap (created again after a NATS restart lost it).
    const oldest = missed[0]?.ts ?? Infinity;
    const lost =
      Date.now() - since > this.config.RECOVERY_MAX_AGE_MS ||
      wanted.length > replay.length ||
      (stored >= this.config.RECOVERY_MAX_MESSAGES && oldest > since) ||
      created === null ||
      created > since - CLOCK_SLACK_MS;
    for (const m of replay) {
      const event: ChannelMessageEvent = { ch, from: m.from, id: m.id, m: m.m, ts: m.ts, rec: true, ...(lost ? { lost } : {}) };
      session.conn?.event(Evt.CHANNEL_MESSAGE, event);
    }
    return !lost;
  }
}
