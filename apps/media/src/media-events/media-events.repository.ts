import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';

/**
 * The media service's part of the event record (kind 'media'; the rows are written by
 * MediaRepository in the statement that stores a media): retention.
 */
@Injectable()
export class MediaEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `batch` media events that happened more than `retentionMs` ago; returns how many. */
  async deleteExpired(retentionMs: number, batch: number): Promise<number> {
    const retention = `${retentionMs} milliseconds`;
    return this.prisma.$executeRaw`
      DELETE FROM app_events WHERE seq IN (
        SELECT seq FROM app_events WHERE kind = 'media' AND ts < now() - ${retention}::interval ORDER BY ts LIMIT ${batch}::int
      )`;
  }
}
