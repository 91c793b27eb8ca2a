import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

export interface CredentialRow {
  id: string;
  name: string | null;
  appIds: string[];
  allApps: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

const COLUMNS = { id: true, name: true, appIds: true, allApps: true, createdAt: true, revokedAt: true } as const;

/** The `customer_credentials` table (secrets only as their SHA-256), and which apps exist. */
@Injectable()
export class AdminCredentialsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(credential: { id: string; secretHash: string; name: string | null; appIds: AppId[]; allApps: boolean }): Promise<CredentialRow> {
    return this.prisma.customerCredential.create({ data: credential, select: COLUMNS });
  }

  /** Up to `limit` credentials with keys after `after`, in key order. */
  list(limit: number, after: string | undefined): Promise<CredentialRow[]> {
    return this.prisma.customerCredential.findMany({ where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, take: limit, select: COLUMNS });
  }

  /** Sets revokedAt (a second revocation keeps the first time). null: unknown key. */
  async revoke(id: string): Promise<CredentialRow | null> {
    const rows = await this.prisma.$queryRaw<CredentialRow[]>`
      UPDATE customer_credentials SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ${id}
      RETURNING id, name, coalesce(app_ids, '{}') AS "appIds", all_apps AS "allApps", created_at AS "createdAt", revoked_at AS "revokedAt"`;
    return rows[0] ?? null;
  }

  /** Which of these apps exist. */
  async existingAppIds(appIds: readonly AppId[]): Promise<Set<string>> {
    const rows = await this.prisma.app.findMany({ where: { id: { in: [...appIds] } }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }
}
