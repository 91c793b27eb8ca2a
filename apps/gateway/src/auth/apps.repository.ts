import { Inject, Injectable } from '@nestjs/common';
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

/** Apps from Postgres (read only: the api's admin API and the CLI write them), cached briefly: logins must not hit the database each time. */
@Injectable()
export class AppsRepository {
  private readonly cache = new Map<string, { app: AppRecord | null; until: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async find(appId: AppId): Promise<AppRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(appId);
    if (hit && hit.until > now) return hit.app;
    const row = await this.prisma.app.findUnique({
      where: { id: appId },
      select: { id: true, certificate: true, previousCertificate: true, previousCertificateUntil: true },
    });
    const app = row
      ? { id: row.id as AppId, certificate: row.certificate, previous: row.previousCertificate, previousUntil: row.previousCertificateUntil?.getTime() ?? 0 }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(appId, { app, until: now + this.config.APP_CACHE_TTL_MS });
    return app;
  }
}
