import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

import type { DatabaseConfig } from '../config/load-config';

export const DATABASE_URL = Symbol('DATABASE_URL');
export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/** The process's Prisma client over node-postgres (Prisma 7 driver adapter). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /** A bare URL (tests, tools) gets a small pool. */
  constructor(@Inject(DATABASE_CONFIG) configOrUrl: DatabaseConfig | string) {
    const config: DatabaseConfig =
      typeof configOrUrl === 'string'
        ? { DATABASE_URL: configOrUrl, DATABASE_POOL_MAX: 3, DATABASE_CONNECT_TIMEOUT_MS: 5_000, DATABASE_POOL_IDLE_MS: 10_000 }
        : configOrUrl;
    super({
      adapter: new PrismaPg({
        connectionString: config.DATABASE_URL,
        max: config.DATABASE_POOL_MAX,
        connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: config.DATABASE_POOL_IDLE_MS,
      }),
    });
  }

  /** Last of all, so services can finish their writes in beforeApplicationShutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
