import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseUrl } from './env';

export interface TestApp {
  appId: string;
  certificate: string | null;
}

const hex32 = () => randomBytes(16).toString('hex');

/** Registers a fresh app (optionally certified) in the test database (or in `databaseUrl`). */
export async function createTestApp(opts: { certified?: boolean; databaseUrl?: string } = {}): Promise<TestApp> {
  const app = { appId: hex32(), certificate: opts.certified ? hex32() : null };
  const db = new Client({ connectionString: opts.databaseUrl ?? testDatabaseUrl() });
  await db.connect();
  try {
    await db.query('INSERT INTO apps (id, certificate, updated_at) VALUES ($1, $2, now())', [app.appId, app.certificate]);
  } finally {
    await db.end();
  }
  return app;
}

export interface TestCredential {
  key: string;
  secret: string;
  /** The Authorization header value (HTTP Basic). */
  basic: string;
}

/** A server-API customer credential (key + secret; the secret stored as SHA-256 hex) granted some apps or all. */
export async function createCustomerCredential(opts: { appIds?: string[]; allApps?: boolean; databaseUrl?: string }): Promise<TestCredential> {
  const key = hex32();
  const secret = randomBytes(32).toString('base64url');
  const db = new Client({ connectionString: opts.databaseUrl ?? testDatabaseUrl() });
  await db.connect();
  try {
    await db.query('INSERT INTO customer_credentials (id, secret_hash, app_ids, all_apps) VALUES ($1, $2, $3, $4)', [
      key,
      createHash('sha256').update(secret).digest('hex'),
      opts.appIds ?? [],
      opts.allApps === true,
    ]);
  } finally {
    await db.end();
  }
  return { key, secret, basic: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` };
}
