import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The process's Prisma client over node-postgres (Prisma 7 driver adapter). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_URL) databaseUrl: string) {
    super({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
  }

  /** Last of all, so services can finish their writes in beforeApplicationShutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
