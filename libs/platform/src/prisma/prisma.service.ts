import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type QueryResultRow } from 'pg';
import { PrismaClient } from './generated/client';

import type { DatabaseConfig } from '../config/load-config';
import { quietCheckouts } from './quiet-checkouts';

export const DATABASE_URL = Symbol('DATABASE_URL');
export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/** The process's Prisma client over node-postgres (Prisma 7 driver adapter). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /**
   * The node-postgres pool under the client (the same DATABASE_POOL_MAX connections). `sql` runs a
   * statement on it directly: for the statements that run periodically in an idle cluster
   * (heartbeats, deadline reads) and those every login or lost connection runs (presence's batches),
   * where Prisma's own work per statement (request pipeline, query interpreter) costs several times
   * the query, and a named one is planned once per connection (issue 14).
   */
  readonly pool: Pool;

  /** A bare URL (tests, tools) gets a small pool. */
  constructor(@Inject(DATABASE_CONFIG) configOrUrl: DatabaseConfig | string) {
    const config: DatabaseConfig =
      typeof configOrUrl === 'string'
        ? { DATABASE_URL: configOrUrl, DATABASE_POOL_MAX: 3, DATABASE_CONNECT_TIMEOUT_MS: 5_000, DATABASE_POOL_IDLE_MS: 10_000 }
        : configOrUrl;
    const pool = quietCheckouts(
      new Pool({
        connectionString: config.DATABASE_URL,
        max: config.DATABASE_POOL_MAX,
        connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: config.DATABASE_POOL_IDLE_MS,
      }),
    );
    // An idle connection's error (a Postgres restart) is the pool's to handle: it drops the connection
    // and opens a new one for the next statement; without a listener it would end the process.
    pool.on('error', () => undefined);
    // The adapter's own @types/pg is newer than ours; the runtime pg is the one package (an instance
    // of another Pool class would be taken for a config and get a second pool).
    super({ adapter: new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], { disposeExternalPool: true }) });
    this.pool = pool;
  }

  /**
   * One parameterised statement on the pool, outside Prisma (see `pool`); its rows. With `name`, a
   * prepared statement: each connection parses and plans it once (a statement that runs every few
   * seconds forever, or with every login); one name, one text. Named statements live in the session:
   * a pooler in front of Postgres must pool sessions, not transactions.
   */
  async sql<R extends QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
    return (await this.pool.query<R>(name ? { name, text, values } : { text, values })).rows;
  }

  /** Closes the client and the pool (the pool also when only `sql` used it: Prisma, never connected, would leave it open). */
  override async $disconnect(): Promise<void> {
    await super.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }

  /** Last of all, so services can finish their writes in beforeApplicationShutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
