import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode, ParleyError, requireAppId } from '@parley/contracts';
import type { ChannelEventsTakeReply, EventsTakeRequest } from '@parley/contracts/internal';
import { Alarm, jittered } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { ChannelEventsRepository } from './channel-events.repository';

/** The cursor of Agora's pull queue (GET …/rtm/vendor/channel_events) in event_cursors. */
export const PULL_CONSUMER = 'pull';
/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/** How many events a take returns: what the caller asked for (a whole number ≥ 1), at most `cap`. */
export function takeSize(max: unknown, cap: number): number {
  if (max === undefined || max === null) return cap;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'max: a whole number ≥ 1');
  return Math.min(max, cap);
}

/**
 * Channel Join/Leave events (the event record, kind 'channel'): Agora's destructive pull queue, and
 * their deletion EVENTS_RETENTION_MS after they happened. The events themselves are written by the
 * statements that add and remove members (MembersRepository).
 */
@Injectable()
export class ChannelEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChannelEventsService.name);
  private readonly periodic = new Alarm(() => {
    void this.sweep();
    this.periodic.in(jittered(this.config.EVENTS_SWEEP_MS));
  });
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly repository: ChannelEventsRepository,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  /** Patterns.channel.eventsTake: the app's next events, oldest first; each is returned once. */
  async take(req: EventsTakeRequest): Promise<ChannelEventsTakeReply> {
    const appId = requireAppId(req?.appId);
    const max = takeSize(req.max, this.config.EVENTS_TAKE_MAX);
    const rows = await this.repository.take(appId, PULL_CONSUMER, this.config.EVENTS_QUEUE_MAX, max);
    return { events: rows.map((r) => ({ channel_id: r.channelId, user_id: r.uid, type: r.type, ts: r.ts })) };
  }

  onApplicationBootstrap(): void {
    // Not at once: replicas started together spread their first sweep over the interval.
    this.periodic.in(jittered(this.config.EVENTS_SWEEP_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.periodic.cancel();
    await this.sweeping;
  }

  /** Deletes events past retention; returns how many. A sweep still running is joined, not overlapped. */
  sweep(): Promise<number> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async run(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.repository.deleteExpired(this.config.EVENTS_RETENTION_MS, SWEEP_BATCH);
        total += deleted;
        if (deleted < SWEEP_BATCH) break;
      }
      if (total > 0) this.logger.log({ msg: 'expired channel events deleted', count: total });
    } catch (err) {
      this.logger.warn(`channel events retention failed: ${(err as Error).message}`);
    }
    return total;
  }
}
