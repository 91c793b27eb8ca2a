import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CachedValue, gauge } from '@parley/platform/telemetry';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { MembersRepository } from './members.repository';

const channels = gauge('parley.channel.channels', 'Channels with at least one member, all apps (every channel replica reports the same count)');
const members = gauge('parley.channel.members', 'Channel memberships, all channels and apps (every channel replica reports the same count)');

/** Channel and membership totals for the gauges, counted at most once per METRICS_REFRESH_MS. */
@Injectable()
export class MembersMetrics implements OnApplicationShutdown {
  private readonly removals: Array<() => void>;

  constructor(repository: MembersRepository, @Inject(CHANNEL_CONFIG) config: ChannelConfig) {
    const totals = new CachedValue(() => repository.totals(), config.METRICS_REFRESH_MS);
    this.removals = [
      channels.observe(async (report) => report((await totals.get()).channels)),
      members.observe(async (report) => report((await totals.get()).members)),
    ];
  }

  onApplicationShutdown(): void {
    for (const remove of this.removals) remove();
  }
}
