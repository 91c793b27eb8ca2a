import { createHash, randomBytes } from 'node:crypto';
import type { AppId } from '@parley/contracts';
import { CliError } from './cli-error';
import type { PgDatabase } from './database';

/** A customer credential of the server API (its secret is never kept). */
export interface CustomerRecord {
  /** The customer key (public half), 32 hex digits. */
  key: string;
  name: string | null;
  appIds: string[];
  allApps: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewCustomer {
  name: string | null;
  /** Existing apps (else a CliError "unknown app"); empty with allApps. */
  appIds: AppId[];
  allApps: boolean;
}

/** Customer credentials, in Postgres (PgCustomersRepository) or through the api's admin API. */
export interface CustomersRepository {
  /** A new key and secret; the secret is returned only here. */
  create(customer: NewCustomer): Promise<{ customer: CustomerRecord; secret: string }>;
  /** All credentials, oldest first (revoked ones too). */
  list(): Promise<CustomerRecord[]>;
  /** Sets revokedAt (a second revocation keeps the first time); null when the key is unknown. */
  revoke(key: string): Promise<CustomerRecord | null>;
}

export const unknownAppError = (appId: string) => new CliError(`unknown app ${appId} (see: parley app list)`);

interface CustomerRow {
  id: string;
  name: string | null;
  app_ids: string[] | null;
  all_apps: boolean;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, app_ids, all_apps, created_at, revoked_at';

const toRecord = (row: CustomerRow): CustomerRecord => ({
  key: row.id,
  name: row.name,
  appIds: row.app_ids ?? [],
  allApps: row.all_apps,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/**
 * The `customer_credentials` table. Keys and secrets are made as the admin API makes them: a
 * 32-hex key, a 32-byte random secret (base64url) stored as its SHA-256 hex.
 */
export class PgCustomersRepository implements CustomersRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(customer: NewCustomer): Promise<{ customer: CustomerRecord; secret: string }> {
    const appIds = [...new Set(customer.appIds)];
    if (appIds.length > 0) {
      const existing = new Set((await this.db.query<{ id: string }>('SELECT id FROM apps WHERE id = ANY($1)', [appIds])).map((r) => r.id));
      const unknown = appIds.find((id) => !existing.has(id));
      if (unknown !== undefined) throw unknownAppError(unknown);
    }
    const secret = randomBytes(32).toString('base64url');
    const rows = await this.db.query<CustomerRow>(
      `INSERT INTO customer_credentials (id, secret_hash, name, app_ids, all_apps, created_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${COLUMNS}`,
      [randomBytes(16).toString('hex'), createHash('sha256').update(secret).digest('hex'), customer.name, appIds, customer.allApps],
    );
    return { customer: toRecord(rows[0]!), secret };
  }

  async list(): Promise<CustomerRecord[]> {
    return (await this.db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customer_credentials ORDER BY created_at, id`, [])).map(toRecord);
  }

  async revoke(key: string): Promise<CustomerRecord | null> {
    const rows = await this.db.query<CustomerRow>(
      `UPDATE customer_credentials SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [key],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
