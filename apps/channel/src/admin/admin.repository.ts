import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { ChannelStatsReply } from '@parley/contracts/internal';
import { Prisma, PrismaService } from '@parley/platform';

/** The admin API's reads of channel membership (`channels`, `channel_members`). */
@Injectable()
export class AdminRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Channels with at least one member and memberships, all apps or one (the primary keys' app_id prefix). */
  async totals(appId: AppId | null): Promise<ChannelStatsReply> {
    const where = appId === null ? Prisma.empty : Prisma.sql`AND app_id = ${appId}`;
    const members = appId === null ? Prisma.empty : Prisma.sql`WHERE app_id = ${appId}`;
    const [row] = await this.prisma.$queryRaw<ChannelStatsReply[]>`
      SELECT (SELECT count(*) FROM channels WHERE member_count > 0 ${where})::int AS channels,
             (SELECT count(*) FROM channel_members ${members})::int AS members`;
    return row ?? { channels: 0, members: 0 };
  }
}
