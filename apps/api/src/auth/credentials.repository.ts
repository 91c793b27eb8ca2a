import { Inject, Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { API_CONFIG, type ApiConfig } from '../config/api.config';

export interface CredentialRecord {
  id: string;
  secretHash: string;
  appIds: string[];
  allApps: boolean;
  revoked: boolean;
}

export interface AppCertificates {
  id: AppId;
  certificate: string | null;
  /** Replaced by a rotation; verifies tokens until previousUntil (Unix ms). */
  previous: string | null;
  previousUntil: number;
}

/** Customer credentials and app certificates, cached for AUTH_CACHE_TTL_MS: a request does not hit Postgres each time. */
@Injectable()
export class CredentialsRepository {
  private readonly credentials = new Map<string, { value: CredentialRecord | null; until: number }>();
  private readonly apps = new Map<string, { value: AppCertificates | null; until: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  findCredential(id: string): Promise<CredentialRecord | null> {
    return this.cached(this.credentials, id, async () => {
      const row = await this.prisma.customerCredential.findUnique({ where: { id } });
      return row ? { id: row.id, secretHash: row.secretHash, appIds: row.appIds, allApps: row.allApps, revoked: row.revokedAt !== null } : null;
    });
  }

  findApp(appId: AppId): Promise<AppCertificates | null> {
    return this.cached(this.apps, appId, async () => {
      const row = await this.prisma.app.findUnique({
        where: { id: appId },
        select: { id: true, certificate: true, previousCertificate: true, previousCertificateUntil: true },
      });
      return row
        ? { id: row.id as AppId, certificate: row.certificate, previous: row.previousCertificate, previousUntil: row.previousCertificateUntil?.getTime() ?? 0 }
        : null;
    });
  }

  private async cached<T>(map: Map<string, { value: T | null; until: number }>, key: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = Date.now();
    const hit = map.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (map.size > 10_000) map.clear();
    map.set(key, { value, until: now + this.config.AUTH_CACHE_TTL_MS });
    return value;
  }
}
