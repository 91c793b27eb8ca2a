import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CachedValue, gauge } from '@parley/platform/telemetry';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { OfflineRepository } from './offline.repository';

const depth = gauge(
  'parley.presence.offline_messages',
  'Offline messages stored for receivers not online yet, all apps (every presence replica reports the same count)',
);

/** The offline store's depth, counted at most once per METRICS_REFRESH_MS. */
@Injectable()
export class OfflineMetrics implements OnApplicationShutdown {
  private readonly remove: () => void;

  constructor(repository: OfflineRepository, @Inject(PRESENCE_CONFIG) config: PresenceConfig) {
    const count = new CachedValue(() => repository.count(), config.METRICS_REFRESH_MS);
    this.remove = depth.observe(async (report) => report(await count.get()));
  }

  onApplicationShutdown(): void {
    this.remove();
  }
}
