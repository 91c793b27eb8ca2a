import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
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

/**
 * Customer credentials and app certificates, cached for AUTH_CACHE_TTL_MS: a request does not hit
 * Postgres each time, and requests that miss the cache together share one query (lru-cache's fetch).
 */
@Injectable()
export class CredentialsRepository {
  /** Entries wrap the record: an unknown key (null) is cached too. */
  private readonly credentials: LRUCache<string, { value: CredentialRecord | null }>;
  private readonly apps: LRUCache<string, { value: AppCertificates | null }>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    const ttl = Math.max(1, config.AUTH_CACHE_TTL_MS);
    this.credentials = new LRUCache({ max: 10_000, ttl, fetchMethod: async (id) => ({ value: await this.loadCredential(id) }) });
    this.apps = new LRUCache({ max: 10_000, ttl, fetchMethod: async (appId) => ({ value: await this.loadApp(appId as AppId) }) });
  }

  async findCredential(id: string): Promise<CredentialRecord | null> {
    return (await this.credentials.fetch(id))?.value ?? null;
  }

  async findApp(appId: AppId): Promise<AppCertificates | null> {
    return (await this.apps.fetch(appId))?.value ?? null;
  }

  private async loadCredential(id: string): Promise<CredentialRecord | null> {
    const row = await this.prisma.customerCredential.findUnique({ where: { id } });
    return row ? { id: row.id, secretHash: row.secretHash, appIds: row.appIds, allApps: row.allApps, revoked: row.revokedAt !== null } : null;
  }

  private async loadApp(appId: AppId): Promise<AppCertificates | null> {
    const row = await this.prisma.app.findUnique({
      where: { id: appId },
      select: { id: true, certificate: true, previousCertificate: true, previousCertificateUntil: true },
    });
    return row
      ? { id: row.id as AppId, certificate: row.certificate, previous: row.previousCertificate, previousUntil: row.previousCertificateUntil?.getTime() ?? 0 }
      : null;
  }
}
