import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

export interface AppRecord {
  id: AppId;
  certificate: string | null;
  /** The certificate a rotation replaced: it still verifies tokens until previousUntil (Unix ms). */
  previous: string | null;
  previousUntil: number;
}

/**
 * Apps from Postgres (read only: the api's admin API and the CLI write them), cached briefly: logins
 * must not hit the database each time. Lookups of one app that miss the cache together share one
 * query (lru-cache's fetch): a reconnect storm of 20k sessions to a gateway that had not seen the app (or whose entry
 * just expired) is one query, not 20k queued on a pool of 5 that time out.
 */
@Injectable()
export class AppsRepository {
  /** Entries wrap the record: an unknown app (null) is cached too. */
  private readonly cache: LRUCache<string, { app: AppRecord | null }>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(1, config.APP_CACHE_TTL_MS), fetchMethod: (appId) => this.load(appId as AppId) });
  }

  async find(appId: AppId): Promise<AppRecord | null> {
    return (await this.cache.fetch(appId))?.app ?? null;
  }

  private async load(appId: AppId): Promise<{ app: AppRecord | null }> {
    const row = await this.prisma.app.findUnique({
      where: { id: appId },
      select: { id: true, certificate: true, previousCertificate: true, previousCertificateUntil: true },
    });
    const app = row
      ? { id: row.id as AppId, certificate: row.certificate, previous: row.previousCertificate, previousUntil: row.previousCertificateUntil?.getTime() ?? 0 }
      : null;
    return { app };
  }
}
