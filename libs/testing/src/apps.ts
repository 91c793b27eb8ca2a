import { randomBytes } from 'node:crypto';
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
