import { PgAppsRepository } from './apps.repository';
import { DEFAULT_DATABASE_URL, runCli } from './cli';
import { processOutput } from './output';

// Bootstrap only: parsing and dispatch live in cli.ts (unit-tested without a database).
const apps = new PgAppsRepository(process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL);
void runCli(process.argv.slice(2), { apps, output: processOutput })
  .then(async (code) => {
    await apps.close();
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`parley: ${String(err)}\n`);
    process.exitCode = 1;
  });
