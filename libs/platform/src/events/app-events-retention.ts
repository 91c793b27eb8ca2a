import { BeforeApplicationShutdown, type DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { env } from '../config/load-config';
import { PrismaService } from '../prisma/prisma.service';
import { BatchedSweep } from '../timers/batched-sweep';

/** Config keys of every service that writes a kind of the event record (its config schema spreads them). */
export const eventRetentionConfigShape = {
  /** Its events are deleted this long after they happened, read or not. */
  EVENTS_RETENTION_MS: env.int(24 * 3600_000, 60_000),
  /** How often (± 20 %) each replica deletes events past EVENTS_RETENTION_MS: one indexed query when there are none. */
  EVENTS_SWEEP_MS: env.int(600_000, 1_000),
};

export interface EventRetentionConfig {
  EVENTS_RETENTION_MS: number;
  EVENTS_SWEEP_MS: number;
}

export interface AppEventsRetentionOptions {
  /** The event record's kind this service writes ('metadata', 'invite', 'media', …). */
  kind: string;
  retentionMs: number;
  intervalMs: number;
}

const OPTIONS = Symbol('APP_EVENTS_RETENTION_OPTIONS');
/** Rows one retention statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

/**
 * Retention of one kind of the event record (app_events; docs/architecture.md "Event record"): every
 * replica of the service that writes the kind deletes its events EVENTS_RETENTION_MS after they
 * happened, in bounded statements (BatchedSweep). The events themselves are written by the
 * statements that make the change.
 */
@Injectable()
export class AppEventsRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AppEventsRetention.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(OPTIONS) private readonly options: AppEventsRetentionOptions,
  ) {
    this.cleanup = new BatchedSweep({
      what: `expired ${options.kind} events`,
      intervalMs: options.intervalMs,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.deleteExpired(batch),
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

  /** Deletes up to `batch` events of the kind that happened more than retentionMs ago; returns how many. */
  deleteExpired(batch: number): Promise<number> {
    const retention = `${this.options.retentionMs} milliseconds`;
    return this.prisma.$executeRaw`
      DELETE FROM app_events WHERE seq IN (
        SELECT seq FROM app_events WHERE kind = ${this.options.kind} AND ts < now() - ${retention}::interval ORDER BY ts LIMIT ${batch}::int
      )`;
  }
}

/** The retention of one event kind, with the app's config (its token, whose value spreads eventRetentionConfigShape). */
@Module({})
export class AppEventsRetentionModule {
  static forKind(kind: string, configToken: string | symbol): DynamicModule {
    return {
      module: AppEventsRetentionModule,
      providers: [
        {
          provide: OPTIONS,
          inject: [configToken],
          useFactory: (config: EventRetentionConfig): AppEventsRetentionOptions => ({
            kind,
            retentionMs: config.EVENTS_RETENTION_MS,
            intervalMs: config.EVENTS_SWEEP_MS,
          }),
        },
        AppEventsRetention,
      ],
      exports: [AppEventsRetention],
    };
  }
}
