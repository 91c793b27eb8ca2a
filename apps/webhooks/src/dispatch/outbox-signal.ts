import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Alarm, DATABASE_URL, type PrismaService } from '@parley/platform';
import { Client } from 'pg';
import { retryDelayMs } from './backoff';

/**
 * The Postgres notification channel of every webhooks replica (one for all deployments sharing a
 * database: they share the outbox and the endpoints too). The triggers of migration
 * 20261204100000_webhooks_wakeups send on it as well, so the name is fixed.
 */
export const WEBHOOKS_NOTIFY_CHANNEL = 'parley_webhooks';

/** Sends `payload` on the channel; from inside a transaction it is delivered when that commits. */
export async function sendWake(db: { $executeRaw: PrismaService['$executeRaw'] }, payload: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${WEBHOOKS_NOTIFY_CHANNEL}, ${payload})`;
}

/** What a notification says (its payload). */
export const WakeReason = {
  /** An endpoint was created or enabled (trigger on webhook_endpoints). */
  endpoint: 'e',
  /** Dead deliveries were queued again (trigger on webhook_deliveries: the admin API's replay). */
  replay: 'r',
  /** `d:<replica>`: a replica's fan-out queued deliveries, or a stopping replica left due ones behind. */
  due: 'd',
  /**
   * Which apps capture messages or store every message may have changed (triggers on
   * webhook_endpoints and apps, migration 20261204160000_capture_settings_notify): relayed on NATS
   * to the gateways and server API replicas (CaptureSettingsRelay).
   */
  capture: 'c',
} as const;

/** The listen connection's reconnect delays: full-jitter doubling (retryDelayMs) from the first to the last. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;
/** A database that does not answer does not hold up the start (the sleepers' safety intervals still run). */
const CONNECT_TIMEOUT_MS = 5_000;

export interface WakeHandlers {
  /** Deliveries may be due that this replica did not queue (another replica's fan-out, a replay, an endpoint enabled). */
  due?: () => void;
  /** An endpoint was created or enabled. */
  endpoint?: () => void;
  /** Which apps capture messages or store every message may have changed. */
  capture?: () => void;
}

/**
 * How the webhooks replicas wake each other instead of polling (issue 14): one Postgres connection
 * per replica LISTENs on WEBHOOKS_NOTIFY_CHANNEL. A fan-out that queued rows sends `d:<replica>` in
 * its transaction (delivered on commit; its own replica, woken by a call, ignores it); the database
 * sends `e` when an endpoint is created or enabled, `r` when deliveries are replayed and `c` when
 * which apps capture messages or store all may have changed (relayed on NATS). After every
 * (re)connection all handlers run once: a notification sent while it was not listening is lost.
 * Every sleeper keeps a long safety interval for that case and for a database restart.
 */
@Injectable()
export class OutboxSignal implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WebhookSignal');
  /** This replica's mark in its `d:` notifications. */
  readonly replicaId = randomBytes(6).toString('hex');
  private readonly handlers: WakeHandlers[] = [];
  private readonly reconnect = new Alarm(() => void this.connect());
  private client?: Client;
  /** Failed (re)connections in a row. */
  private failures = 0;
  private stopped = false;

  constructor(@Inject(DATABASE_URL) private readonly databaseUrl: string) {}

  /** The payload this replica's fan-out sends when it queued deliveries. */
  get duePayload(): string {
    return `${WakeReason.due}:${this.replicaId}`;
  }

  /** Registers handlers; returns the removal. */
  subscribe(handlers: WakeHandlers): () => void {
    this.handlers.push(handlers);
    return () => {
      const i = this.handlers.indexOf(handlers);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Connects before the first claim would miss anything it could learn; a failure retries in the background. */
  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.reconnect.cancel();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** What a notification on the channel does (public for tests). */
  notified(payload: string): void {
    if (payload === WakeReason.endpoint) {
      this.emit('endpoint');
      this.emit('due');
    } else if (payload === WakeReason.replay) {
      this.emit('due');
    } else if (payload === WakeReason.capture) {
      this.emit('capture');
    } else if (payload.startsWith(`${WakeReason.due}:`)) {
      if (payload !== this.duePayload) this.emit('due');
    } else {
      // Unknown (a newer replica's): waking costs one claim, missing one a delay.
      this.emit('due');
    }
  }

  private emit(kind: keyof WakeHandlers): void {
    for (const h of [...this.handlers]) {
      try {
        h[kind]?.();
      } catch (err) {
        this.log.warn({ err }, 'webhook wake handler failed');
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.databaseUrl, keepAlive: true, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    let lost = false;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn(`listen connection lost${err ? `: ${err.message}` : ''}; reconnecting`);
      this.retryLater();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.channel === WEBHOOKS_NOTIFY_CHANNEL) this.notified(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${WEBHOOKS_NOTIFY_CHANNEL}"`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn(`listen connection failed: ${(err as Error).message}; retrying`);
      this.retryLater();
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    // Whatever was notified before this LISTEN (or while disconnected) is looked at now.
    this.emit('endpoint');
    this.emit('due');
    this.emit('capture');
  }

  private retryLater(): void {
    this.reconnect.in(retryDelayMs(++this.failures, RECONNECT_FIRST_MS, RECONNECT_MAX_MS));
  }
}
