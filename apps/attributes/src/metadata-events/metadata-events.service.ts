import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BatchedSweep } from '@parley/platform';
import { ATTRIBUTES_CONFIG, type AttributesConfig } from '../config/attributes.config';
import { MetadataEventsRepository } from './metadata-events.repository';

/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Metadata writes' events (the event record, kind 'metadata', read by the webhooks): their deletion
 * EVENTS_RETENTION_MS after they happened. The events themselves are written by the statements that
 * write metadata (MetadataRepository).
 */
@Injectable()
export class MetadataEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MetadataEventsService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: MetadataEventsRepository,
    @Inject(ATTRIBUTES_CONFIG) private readonly config: AttributesConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'expired metadata events',
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
