import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { z } from 'zod';
import { sha256Hex } from '../auth/api-auth.service';
import { badRequest, notFound } from '../http/api-error';
import { AdminCredentialsRepository, type CredentialRow } from './admin-credentials.repository';
import { PAGE_DEFAULT, type AdminCredentialView, type AdminNewCredentialView, type CreateCredentialBody, type CredentialsQuery } from './admin.schemas';

/**
 * Customer credentials (Basic auth of the server API): a 32-hex key and a 32-byte random secret,
 * shown once and stored as its SHA-256 (high entropy: no slow KDF needed). Granted named existing
 * apps or every app. Revoked, not deleted: a revoked key stays listed.
 */
@Injectable()
export class AdminCredentialsService {
  constructor(private readonly repository: AdminCredentialsRepository) {}

  async create(body: z.infer<typeof CreateCredentialBody>): Promise<AdminNewCredentialView> {
    const appIds = [...new Set(body.appIds ?? [])] as AppId[];
    if (appIds.length > 0) {
      const existing = await this.repository.existingAppIds(appIds);
      const unknown = appIds.find((id) => !existing.has(id));
      if (unknown !== undefined) throw badRequest(`unknown app ${unknown}`, 'unknown_app');
    }
    const secret = randomBytes(32).toString('base64url');
    const row = await this.repository.create({
      id: randomBytes(16).toString('hex'),
      secretHash: sha256Hex(secret),
      name: body.name ?? null,
      appIds,
      allApps: body.allApps === true,
    });
    return { ...view(row), customerSecret: secret };
  }

  async list(query: z.infer<typeof CredentialsQuery>): Promise<{ credentials: AdminCredentialView[]; next: string | null }> {
    const limit = query.limit ?? PAGE_DEFAULT;
    const rows = await this.repository.list(limit + 1, query.after);
    const page = rows.slice(0, limit);
    return { credentials: page.map(view), next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /** Revoked keys get 401 once the api replicas' auth cache (AUTH_CACHE_TTL_MS) has let go of them. */
  async revoke(key: string): Promise<AdminCredentialView> {
    const row = await this.repository.revoke(key);
    if (!row) throw notFound(`unknown customer key ${key}`);
    return view(row);
  }
}

function view(row: CredentialRow): AdminCredentialView {
  return {
    customerKey: row.id,
    name: row.name,
    appIds: row.appIds,
    allApps: row.allApps,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
