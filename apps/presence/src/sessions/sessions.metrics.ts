import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CachedValue, gauge } from '@parley/platform/telemetry';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { SessionsRepository } from './sessions.repository';

const sessions = gauge('parley.presence.sessions', 'Sessions in the registry by state, all gateways and apps (every presence replica reports the same count)');
const ONLINE = { state: 'online' };
const UNREACHABLE = { state: 'unreachable' };

/** The registry's size for the sessions gauge, counted at most once per METRICS_REFRESH_MS. */
@Injectable()
export class SessionsMetrics implements OnApplicationShutdown {
  private readonly remove: () => void;

  constructor(repository: SessionsRepository, @Inject(PRESENCE_CONFIG) config: PresenceConfig) {
    const counts = new CachedValue(() => repository.countByState(), config.METRICS_REFRESH_MS);
    this.remove = sessions.observe(async (report) => {
      const { online, unreachable } = await counts.get();
      report(online, ONLINE);
      report(unreachable, UNREACHABLE);
    });
  }

  onApplicationShutdown(): void {
    this.remove();
  }
}
