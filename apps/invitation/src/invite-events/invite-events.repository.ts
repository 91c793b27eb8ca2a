import { Injectable } from '@nestjs/common';
import { PrismaService } from '@parley/platform';

/**
 * The invitation service's part of the event record (kind 'invite'; the rows are written by
 * InvitationsRepository in the statements that end invitations): retention.
 */
@Injectable()
export class InviteEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `batch` invite events that happened more than `retentionMs` ago; returns how many. */
  async deleteExpired(retentionMs: number, batch: number): Promise<number> {
    const retention = `${retentionMs} milliseconds`;
    return this.prisma.$executeRaw`
      DELETE FROM app_events WHERE seq IN (
        SELECT seq FROM app_events WHERE kind = 'invite' AND ts < now() - ${retention}::interval ORDER BY ts LIMIT ${batch}::int
      )`;
  }
}
