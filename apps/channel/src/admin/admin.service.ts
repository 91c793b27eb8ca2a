import { Injectable } from '@nestjs/common';
import { requireAppId, type AppId } from '@parley/contracts';
import type { ChannelStatsReply, StatsRequest } from '@parley/contracts/internal';
import { CachedValues } from '@parley/platform/telemetry';
import { AdminRepository } from './admin.repository';

/** Counted at most this often per app (and for all apps), however many consoles poll. */
export const STATS_MAX_AGE_MS = 1_000;

/** What the admin API (the operator console) reads of channel membership: live counts. */
@Injectable()
export class AdminService {
  private readonly stats: CachedValues<ChannelStatsReply>;

  constructor(private readonly repository: AdminRepository) {
    this.stats = new CachedValues((key) => this.repository.totals(key === '' ? null : (key as AppId)), STATS_MAX_AGE_MS);
  }

  /** Subjects.channel.stats: channels with members and memberships, all apps or req.appId's. */
  async channelStats(req: StatsRequest): Promise<ChannelStatsReply> {
    return this.stats.get(req?.appId === undefined || req.appId === null ? '' : requireAppId(req.appId));
  }
}
