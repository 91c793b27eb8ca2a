import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BatchedSweep } from '@parley/platform';
import { INVITATION_CONFIG, type InvitationConfig } from '../config/invitation.config';
import { InviteEventsRepository } from './invite-events.repository';

/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Ended invitations' events (the event record, kind 'invite', read by the webhooks): their deletion
 * EVENTS_RETENTION_MS after they happened. The events themselves are written by the statements that
 * end invitations (InvitationsRepository).
 */
@Injectable()
export class InviteEventsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InviteEventsService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: InviteEventsRepository,
    @Inject(INVITATION_CONFIG) private readonly config: InvitationConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'expired invite events',
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
