import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { requireAppId } from '@parley/contracts';
import { PULL_CONSUMER, takeSize, type EventsTakeRequest, UserEventsTakeReply } from '@parley/contracts/internal';
import { BatchedSweep } from '@parley/platform';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { UserEventsRepository } from './user-events.repository';

/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Users' Login/Logout events (the event record, kind 'user'): Agora's destructive pull queue, and
 * their deletion EVENTS_RETENTION_MS after they happened. The events themselves are written by the
 * statements that register and remove sessions (SessionsRepository).
 */
@Injectable()
export class UserEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UserEventsService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: UserEventsRepository,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'expired user events',
      intervalMs: config.EVENTS_SWEEP_MS,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.repository.deleteExpired(this.config.EVENTS_RETENTION_MS, batch),
      logger: this.logger,
    });
  }

  /** Patterns.presence.userEventsTake: the app's next events, oldest first; each is returned once. */
  async take(req: EventsTakeRequest): Promise<UserEventsTakeReply> {
    const appId = requireAppId(req?.appId);
    const max = takeSize(req.max, this.config.EVENTS_TAKE_MAX);
    const rows = await this.repository.take(appId, PULL_CONSUMER, this.config.EVENTS_QUEUE_MAX, max);
    return { events: rows.map((r) => ({ user_id: r.uid, type: r.type, ts: r.ts })) };
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
