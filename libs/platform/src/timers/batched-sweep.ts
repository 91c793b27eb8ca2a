import { Alarm, jittered } from './alarm';

export interface BatchedSweepOptions {
  /** What it deletes, for the log ("expired user events"). */
  what: string;
  /** Between two sweeps, ± 20 % (replicas started together do not sweep in lockstep). */
  intervalMs: number;
  /** Rows one statement deletes; a sweep repeats until fewer come back. */
  batch: number;
  /** Deletes up to `batch` rows; returns how many. */
  deleteBatch: (batch: number) => Promise<number>;
  logger: { log(message: unknown): void; warn(message: unknown): void };
}

/**
 * A periodic cleanup in bounded statements: every `intervalMs` ± 20 % it deletes `batch` rows at a
 * time until a statement deletes fewer. A sweep still running is joined, never overlapped; a failed
 * one is logged and retried at the next interval. Every replica runs one; the statements are
 * idempotent, so two replicas never delete a row twice. Nothing runs until `start()`, and `stop()`
 * waits for a sweep in progress (before the database connection closes).
 */
export class BatchedSweep {
  private readonly periodic = new Alarm(() => {
    void this.sweep();
    this.periodic.in(jittered(this.options.intervalMs));
  });
  private sweeping: Promise<number> | null = null;

  constructor(private readonly options: BatchedSweepOptions) {}

  /** Not at once: replicas started together spread their first sweep over the interval. */
  start(): void {
    this.periodic.in(jittered(this.options.intervalMs));
  }

  async stop(): Promise<void> {
    this.periodic.cancel();
    await this.sweeping;
  }

  /** Deletes what is due now; returns how many rows went. */
  sweep(): Promise<number> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async run(): Promise<number> {
    const { batch, deleteBatch, logger, what } = this.options;
    let total = 0;
    try {
      for (;;) {
        const deleted = await deleteBatch(batch);
        total += deleted;
        if (deleted < batch) break;
      }
      if (total > 0) logger.log({ msg: `${what} deleted`, count: total });
    } catch (err) {
      logger.warn(`deleting ${what} failed: ${(err as Error).message}`);
    }
    return total;
  }
}
