import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { MEDIA_CONFIG, type MediaConfig } from '../config/media.config';
import { MediaRepository } from './media.repository';
import { MediaStorage } from './media-storage';

/** Rows one statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 500;

/**
 * Deletes expired media on every replica, every MEDIA_EXPIRY_SWEEP_MS ± 20 % (replicas do not sweep
 * in lockstep): each expired row is deleted (and its object removed) by exactly one of them. An
 * expired media is never served meanwhile. The bucket's lifecycle rule, where the S3 server has
 * one, is a second net.
 */
@Injectable()
export class MediaExpiryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MediaExpiryService.name);
  private readonly periodic = new Alarm(() => {
    void this.sweep();
    this.periodic.in(jittered(this.config.MEDIA_EXPIRY_SWEEP_MS));
  });
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly repository: MediaRepository,
    private readonly storage: MediaStorage,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
  ) {}

  onApplicationBootstrap(): void {
    // At once: what expired while no replica ran goes now (and the database client is warm before the first request).
    void this.sweep();
    this.periodic.in(jittered(this.config.MEDIA_EXPIRY_SWEEP_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.periodic.cancel();
    await this.sweeping;
  }

  /** Deletes what expired; returns how many media. A sweep still running is joined, not overlapped. */
  sweep(): Promise<number> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async run(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const keys = await this.repository.deleteExpired(SWEEP_BATCH);
        total += keys.length;
        if (keys.length > 0) await this.removeObjects(keys);
        if (keys.length < SWEEP_BATCH) return total;
      }
    } catch (err) {
      this.logger.warn(`media expiry sweep failed: ${(err as Error).message}`);
      return total;
    }
  }

  private async removeObjects(keys: string[]): Promise<void> {
    try {
      const left = await this.storage.removeMany(keys);
      if (left.length > 0) this.logger.warn(`expired media objects not removed: ${left.join(', ')}`);
    } catch (err) {
      // The rows are gone; the lifecycle rule (where supported) removes these objects later.
      this.logger.warn(`removing ${keys.length} expired media objects failed: ${(err as Error).message}`);
    }
  }
}
