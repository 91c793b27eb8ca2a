import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BatchedSweep } from '@parley/platform';
import { MEDIA_CONFIG, type MediaConfig } from '../config/media.config';
import { MediaEventsRepository } from './media-events.repository';

/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Uploads' events (the event record, kind 'media', read by the webhooks): their deletion
 * EVENTS_RETENTION_MS after they happened. The events themselves are written by the statement that
 * stores a media (MediaRepository).
 */
@Injectable()
export class MediaEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MediaEventsService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: MediaEventsRepository,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'expired media events',
      intervalMs: config.EVENTS_SWEEP_MS,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.repository.deleteExpired(this.config.EVENTS_RETENTION_MS, batch),
      logger: this.logger,
    });
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
