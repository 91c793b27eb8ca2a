import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';

/**
 * The attributes service's part of the event record (kind 'metadata'; the rows are written by
 * MetadataRepository in each write's transaction): retention.
 */
@Injectable()
export class MetadataEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `batch` metadata events that happened more than `retentionMs` ago; returns how many. */
  async deleteExpired(retentionMs: number, batch: number): Promise<number> {
    const retention = `${retentionMs} milliseconds`;
    return this.prisma.$executeRaw`
      DELETE FROM app_events WHERE seq IN (
        SELECT seq FROM app_events WHERE kind = 'metadata' AND ts < now() - ${retention}::interval ORDER BY ts LIMIT ${batch}::int
      )`;
  }
}
