import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Alarm, jittered } from '@parley/platform';
import { gauge } from '@parley/platform/telemetry';
import { HISTORY_CONFIG, type HistoryConfig } from '../config/history.config';
import { dayOf, PartitionsRepository } from '../store/partitions.repository';
import { MaintenanceRepository } from './maintenance.repository';

const DAY_MS = 24 * 3600_000;
const appsOverCap = gauge('parley.history.apps_over_cap', 'Apps whose stored history is over their size cap (their oldest hours are hidden)');

/**
 * Every HISTORY_MAINTENANCE_MS (± 20 %) on every replica (each step is idempotent): partitions for
 * today and the coming days, the size caps, and the removal of whole days that are past every
 * app's retention — a DROP of their partition, never a sweep of rows.
 */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('HistoryMaintenance');
  private readonly alarm = new Alarm(() => void this.tick());
  private running?: Promise<void>;
  private stopped = false;
  private overCap = 0;
  private readonly unobserve = appsOverCap.observe((report) => report(this.overCap));

  constructor(
    private readonly partitions: PartitionsRepository,
    private readonly repository: MaintenanceRepository,
    @Inject(HISTORY_CONFIG) private readonly config: Readonly<HistoryConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.alarm.in(jittered(Math.min(this.config.HISTORY_MAINTENANCE_MS, 5_000)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.alarm.cancel();
    this.unobserve();
    await this.running;
  }

  /** One pass; returns the days whose partitions it dropped. */
  async run(now = Date.now()): Promise<number[]> {
    const today = dayOf(now);
    await this.partitions.ensure(Array.from({ length: this.config.HISTORY_PARTITIONS_AHEAD_DAYS + 1 }, (_, i) => today + i * DAY_MS));
    this.overCap = await this.repository.applyCaps(this.config.HISTORY_MAX_BYTES, this.config.HISTORY_RETENTION_MS);
    const keepFrom = now - (await this.repository.longestRetentionMs(this.config.HISTORY_RETENTION_MS));
    // A day goes once all of it is older than the longest retention.
    const expired = (await this.partitions.days()).filter((day) => day + DAY_MS <= keepFrom);
    for (const day of expired) await this.partitions.drop(day);
    await this.repository.forgetUsage(dayOf(keepFrom));
    if (expired.length) this.log.log(`dropped ${expired.length} expired history day(s)`);
    return expired;
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.run()
      .then(
        () => undefined,
        (err: Error) => this.log.warn(`history maintenance failed (next pass retries): ${err.message}`),
      )
      .finally(() => {
        if (!this.stopped) this.alarm.in(jittered(this.config.HISTORY_MAINTENANCE_MS));
      });
  }
}
