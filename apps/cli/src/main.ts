import { AdminApiClient, HttpAppsRepository, HttpCustomersRepository, HttpWebhooksRepository } from './admin-api.client';
import { PgAppsRepository } from './apps.repository';
import { DEFAULT_DATABASE_URL, runCli } from './cli';
import { PgCustomersRepository } from './customers.repository';
import { PgDatabase } from './database';
import { processOutput } from './output';
import { PgWebhooksRepository } from './webhooks.repository';

// Bootstrap only: parsing and dispatch live in cli.ts (unit-tested without a database or an api).
// With PARLEY_API_URL the app, customer and webhook commands use the admin API; `parley token` reads the
// certificate from Postgres either way. Neither connects before a command needs it.
const db = new PgDatabase(process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL);
const localApps = new PgAppsRepository(db);
const apiUrl = process.env['PARLEY_API_URL'];
const api = apiUrl ? new AdminApiClient(apiUrl, process.env['PARLEY_ADMIN_TOKEN']) : null;
const apps = api ? new HttpAppsRepository(api) : localApps;
const customers = api ? new HttpCustomersRepository(api) : new PgCustomersRepository(db);
const webhooks = api ? new HttpWebhooksRepository(api) : new PgWebhooksRepository(db);
void runCli(process.argv.slice(2), { apps, customers, webhooks, localApps, output: processOutput })
  .then(async (code) => {
    await db.close();
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`parley: ${String(err)}\n`);
    process.exitCode = 1;
  });
