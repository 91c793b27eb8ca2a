import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { requireAppId } from '@parley/contracts';
import { PULL_CONSUMER, takeSize, type ChannelEventsTakeReply, type EventsTakeRequest } from '@parley/contracts/internal';
import { BatchedSweep } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { ChannelEventsRepository } from './channel-events.repository';

/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Channel Join/Leave events (the event record, kind 'channel'): Agora's destructive pull queue, and
 * their deletion EVENTS_RETENTION_MS after they happened. The events themselves are written by the
 * statements that add and remove members (MembersRepository).
 */
@Injectable()
export class ChannelEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChannelEventsService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: ChannelEventsRepository,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'expired channel events',
      intervalMs: config.EVENTS_SWEEP_MS,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.repository.deleteExpired(this.config.EVENTS_RETENTION_MS, batch),
      logger: this.logger,
    });
  }

  /** Patterns.channel.eventsTake: the app's next events, oldest first; each is returned once. */
  async take(req: EventsTakeRequest): Promise<ChannelEventsTakeReply> {
    const appId = requireAppId(req?.appId);
    const max = takeSize(req.max, this.config.EVENTS_TAKE_MAX);
    const rows = await this.repository.take(appId, PULL_CONSUMER, this.config.EVENTS_QUEUE_MAX, max);
    return { events: rows.map((r) => ({ channel_id: r.channelId, user_id: r.uid, type: r.type, ts: r.ts })) };
  }

  onApplicationBootstrap(): void {
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  /** Deletes events past retention; returns how many. A sweep still running is joined, not overlapped. */
  sweep(): Promise<number> {
    return this.cleanup.sweep();
  }
}
