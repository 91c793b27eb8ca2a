import { Inject, Injectable } from '@nestjs/common';
import { ADVISORY_LOCKS, DATABASE_URL } from '@parley/platform';
import { Client } from 'pg';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { CountSignal } from '../members/count-signal';

/**
 * pg_advisory_lock key held by the channel leader: (this class id, hash of the subject prefix), so
 * deployments that share a database (test stacks, a staging next to production) each have one.
 */
const LEADER_LOCK = ADVISORY_LOCKS.CHANNEL_LEADER;

/**
 * How often a backend waiting for the lock checks that its replica is still there (Postgres 14+).
 * A replica that stops while it waits would otherwise stay queued until it got the lock.
 */
const WAITER_CHECK_MS = 2_000;

export interface Leadership {
  /** Settles when the lock is gone with its connection (ended, failed, or the server went away). */
  readonly lost: Promise<void>;
}

/**
 * The leader's own Postgres connection: it waits in the server for the advisory lock (no polling; the
 * server grants it the moment the holder's connection ends, a dead replica's included), then LISTENs
 * for the count changes other replicas announce (CountSignal).
 */
@Injectable()
export class LeaderLock {
  private client?: Client;
  private released = false;

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
    private readonly signal: CountSignal,
  ) {}

  /** Resolves once this replica holds the lock; `onNotification` runs for each announced change. */
  async acquire(onNotification: () => void): Promise<Leadership> {
    if (this.released) throw new Error('released');
    const client = new Client({ connectionString: this.databaseUrl });
    this.client = client;
    const lost = new Promise<void>((resolve) => {
      client.on('error', () => resolve());
      client.on('end', () => resolve());
    });
    try {
      await client.connect();
      await client.query(`SET client_connection_check_interval = ${WAITER_CHECK_MS}`).catch(() => undefined); // before 14: unknown, harmless
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LEADER_LOCK, this.config.PARLEY_SUBJECT_PREFIX]);
      client.on('notification', onNotification);
      await client.query(`LISTEN "${this.signal.channel}"`);
      return { lost };
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Ends the connection: the lock (or the wait for it) goes with it. */
  async release(): Promise<void> {
    this.released = true;
    await this.client?.end().catch(() => undefined);
  }
}
