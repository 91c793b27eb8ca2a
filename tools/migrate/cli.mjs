#!/usr/bin/env node
// Parley's stand-in for `prisma migrate deploy|status|diff|dev|reset`, driving Prisma's schema
// engine compiled to WebAssembly (the native engine cannot be downloaded here). See README.md.
//
//   node tools/migrate/cli.mjs deploy
//   node tools/migrate/cli.mjs status
//   node tools/migrate/cli.mjs diff [--exit-code]
//   node tools/migrate/cli.mjs dev --name <what_changed> [--create-only] [--accept-data-loss]
//   node tools/migrate/cli.mjs reset --force
//
// DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/parley). MIGRATE_DEBUG=1 prints the
// engine's own log lines on stderr.
import path from 'node:path';
import { parseArgs } from 'node:util';

import { databaseExists, ensureDatabase, readMigrationsTable } from './db.mjs';
import { startEngine } from './engine.mjs';
import {
  DEFAULT_DATABASE_URL,
  FILTERS,
  LOCKFILE_CONTENT,
  ROOT,
  ensureLockfile,
  listMigrations,
  loadProjectConfig,
  loadSchemaFiles,
  migrationSlug,
  writeMigration,
} from './project.mjs';

const USAGE = `usage: node tools/migrate/cli.mjs <command> [options]

commands:
  deploy                 apply pending migrations (creates the database if missing)
  status                 list applied and pending migrations; exit 1 unless up to date
  diff [--exit-code]     print the SQL from the migrations folder's state to the schema
                         (--exit-code: exit 2 when there is a difference)
  dev --name <name>      create prisma/migrations/<UTC timestamp>_<name>/migration.sql from the
      [--create-only]    schema change and apply it (--create-only: write it, do not apply)
      [--accept-data-loss]  needed when the change drops data
  reset --force          drop everything in the database and reapply all migrations
  resolve --rolled-back <migration> | --applied <migration>
                         after a failed migration: record it as rolled back (deploy retries it)
                         or as applied by hand (like prisma migrate resolve)

env: DATABASE_URL (default ${DEFAULT_DATABASE_URL}), MIGRATE_DEBUG=1 for engine logs`;

const OPTIONS = {
  name: { type: 'string', short: 'n' },
  force: { type: 'boolean' },
  'create-only': { type: 'boolean' },
  'accept-data-loss': { type: 'boolean' },
  'exit-code': { type: 'boolean' },
  applied: { type: 'string' },
  'rolled-back': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Which options each command accepts; anything else is a usage error, not silently ignored. */
const COMMANDS = {
  deploy: { run: deploy, options: [] },
  status: { run: status, options: [] },
  diff: { run: diff, options: ['exit-code'] },
  dev: { run: dev, options: ['name', 'create-only', 'accept-data-loss'] },
  reset: { run: reset, options: ['force'] },
  resolve: { run: resolve, options: ['applied', 'rolled-back'] },
};

class UsageError extends Error {}

const out = (line = '') => process.stdout.write(`${line}\n`);
const info = (line = '') => process.stderr.write(`${line}\n`);
const rel = (p) => path.relative(ROOT, p) || '.';
/** URL without its password, for messages. */
function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function makeContext() {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const { schemaPath, migrationsDir } = loadProjectConfig();
  return { url, schemaPath, migrationsDir, database: new URL(url).pathname.slice(1) };
}

/** Runs `fn(engine)` with a started engine, always freeing it (and its pg pools) afterwards. */
async function withEngine(ctx, { schema = false } = {}, fn) {
  const schemaFiles = schema ? await loadSchemaFiles(ctx.schemaPath) : undefined;
  const log = process.env.MIGRATE_DEBUG ? (line) => info(`[engine] ${line.trimEnd()}`) : () => {};
  const engine = await startEngine({ url: ctx.url, schemaFiles, log });
  try {
    return await fn(engine, schemaFiles);
  } finally {
    await engine.close();
  }
}

/** Prints one line per applied migration, with its duration from `_prisma_migrations`. */
async function reportApplied(ctx, names) {
  if (names.length === 0) return;
  const rows = await readMigrationsTable(ctx.url);
  for (const name of names) {
    const row = rows.findLast((r) => r.migration_name === name && r.finished_at);
    const ms = row ? ` (${row.finished_at - row.started_at} ms)` : '';
    out(`Applied ${name}${ms}`);
  }
}

/**
 * applyMigrations, printing what got applied even when a later migration fails: the engine
 * reports names only on success, so on failure the applied set is recovered from the table.
 */
async function applyPending(ctx, engine) {
  const done = (rows) => rows.filter((r) => r.finished_at).map((r) => r.migration_name);
  const before = new Set(done(await readMigrationsTable(ctx.url)));
  try {
    const { appliedMigrationNames } = await engine.call('applyMigrations', {
      migrationsList: await listMigrations(ctx.migrationsDir),
      filters: FILTERS,
    });
    await reportApplied(ctx, appliedMigrationNames);
    return appliedMigrationNames;
  } catch (e) {
    const after = done(await readMigrationsTable(ctx.url).catch(() => [])).filter((n) => !before.has(n));
    await reportApplied(ctx, after).catch(() => {});
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

async function deploy(ctx) {
  const migrationsList = await listMigrations(ctx.migrationsDir);
  const count = migrationsList.migrationDirectories.length;
  info(`Database ${redact(ctx.url)}`);
  const created = await ensureDatabase(ctx.url);
  if (created) out(`Created database "${created}"`);
  info(`${count} migration(s) found in ${rel(ctx.migrationsDir)}`);

  return withEngine(ctx, {}, async (engine) => {
    // Edited migrations are not an error for deploy (native Prisma only warns), but say so.
    const diagnosis = await engine.call('diagnoseMigrationHistory', {
      migrationsList,
      optInToShadowDatabase: false,
      filters: FILTERS,
    });
    for (const name of diagnosis.editedMigrationNames) {
      info(`warning: ${name} was modified after it was applied (checksum differs)`);
    }
    const applied = await applyPending(ctx, engine);
    out(applied.length === 0 ? 'No pending migrations to apply.' : `${applied.length} migration(s) applied; database is up to date.`);
    return 0;
  });
}

async function status(ctx) {
  const migrationsList = await listMigrations(ctx.migrationsDir);
  const local = migrationsList.migrationDirectories.map((d) => d.path);
  info(`Database ${redact(ctx.url)}`);
  out(`${local.length} migration(s) found in ${rel(ctx.migrationsDir)}`);

  if (!(await databaseExists(ctx.url))) {
    out(`Database "${ctx.database}" does not exist.`);
    printList('Pending', local);
    return 1;
  }

  const rows = await readMigrationsTable(ctx.url);
  const applied = rows.filter((r) => r.finished_at && !r.rolled_back_at);
  for (const r of applied) out(`Applied  ${r.migration_name}  (${r.finished_at.toISOString()})`);

  return withEngine(ctx, {}, async (engine) => {
    const d = await engine.call('diagnoseMigrationHistory', {
      migrationsList,
      optInToShadowDatabase: false,
      filters: FILTERS,
    });
    let ok = true;
    const h = d.history;
    if (h?.diagnostic === 'databaseIsBehind') {
      printList('Pending', h.unappliedMigrationNames);
      ok = false;
    } else if (h?.diagnostic === 'migrationsDirectoryIsBehind') {
      printList('Applied in the database but missing from the migrations folder', h.unpersistedMigrationNames);
      ok = false;
    } else if (h?.diagnostic === 'historiesDiverge') {
      out(`The migration history has diverged after ${h.lastCommonMigrationName ?? '(the start)'}.`);
      printList('Pending', h.unappliedMigrationNames);
      printList('Applied in the database but missing from the migrations folder', h.unpersistedMigrationNames);
      ok = false;
    }
    if (d.failedMigrationNames.length) {
      printList('Failed (fix, then mark resolved or reset)', d.failedMigrationNames);
      ok = false;
    }
    if (d.editedMigrationNames.length) {
      printList('Modified after being applied (checksum differs)', d.editedMigrationNames);
      ok = false;
    }
    out(ok ? 'Database schema is up to date.' : 'Database schema is NOT up to date.');
    return ok ? 0 : 1;
  });
}

function printList(title, names) {
  if (!names.length) return;
  out(`${title}:`);
  for (const n of names) out(`  ${n}`);
}

async function diff(ctx, args) {
  const migrationsList = await listMigrations(ctx.migrationsDir);
  // The engine reads the provider of a migrations folder from its lock file; a folder without
  // migrations is simply the empty schema.
  const from = migrationsList.migrationDirectories.length
    ? {
        tag: 'migrations',
        ...migrationsList,
        lockfile: { ...migrationsList.lockfile, content: migrationsList.lockfile.content ?? LOCKFILE_CONTENT },
      }
    : { tag: 'empty' };
  // Replaying migrations needs a shadow database on the server in DATABASE_URL (CREATEDB role).
  // The database itself is not read, so a missing one is no reason to fail (or to create it):
  // connect to the server's `postgres` database instead.
  if (!(await databaseExists(ctx.url))) {
    const u = new URL(ctx.url);
    u.pathname = '/postgres';
    ctx = { ...ctx, url: u.toString() };
  }
  return withEngine(ctx, { schema: true }, async (engine, schemaFiles) => {
    const result = await engine.call('diff', {
      from,
      to: { tag: 'schemaDatamodel', files: schemaFiles },
      script: true,
      exitCode: Boolean(args['exit-code']),
      filters: FILTERS,
    });
    process.stdout.write(result.stdout ?? '');
    return args['exit-code'] ? result.exitCode : 0;
  });
}

async function dev(ctx, args) {
  if (!args.name) throw new UsageError('dev needs --name <what_changed>');
  const slug = migrationSlug(args.name);
  info(`Database ${redact(ctx.url)}`);
  const created = await ensureDatabase(ctx.url);
  if (created) out(`Created database "${created}"`);

  return withEngine(ctx, { schema: true }, async (engine, schemaFiles) => {
    const schema = { files: schemaFiles };
    // devDiagnostic also sets up the engine's shadow-database connection: evaluateDataLoss and
    // createMigration fail with "shadow DB must be provided through an external factory" without it.
    const { action } = await engine.call('devDiagnostic', {
      migrationsList: await listMigrations(ctx.migrationsDir),
      filters: FILTERS,
    });
    if (action.tag === 'reset') {
      throw new Error(`${action.reason}\nThe development database must be reset (all data is lost): ` + `node tools/migrate/cli.mjs reset --force`);
    }

    await applyPending(ctx, engine);

    const loss = await engine.call('evaluateDataLoss', {
      migrationsList: await listMigrations(ctx.migrationsDir),
      schema,
      filters: FILTERS,
    });
    if (loss.unexecutableSteps.length) {
      throw new Error(
        `the change cannot be applied to this database:\n${loss.unexecutableSteps.map((s) => `  - ${s.message}`).join('\n')}\n` +
          'Write the migration by hand (dev --create-only, edit, then deploy), or reset the database.',
      );
    }
    if (loss.warnings.length) {
      const list = loss.warnings.map((w) => `  - ${w.message}`).join('\n');
      if (!args['accept-data-loss']) {
        throw new Error(`the change would lose data:\n${list}\nRe-run with --accept-data-loss to go ahead.`);
      }
      info(`warning: data loss accepted:\n${list}`);
    }
    if (loss.migrationSteps === 0 && !args['create-only']) {
      await ensureLockfile(ctx.migrationsDir);
      out('Already in sync: no schema change and no pending migration.');
      return 0;
    }

    const result = await engine.call('createMigration', {
      draft: Boolean(args['create-only']),
      migrationName: slug,
      migrationsList: await listMigrations(ctx.migrationsDir),
      schema,
      filters: FILTERS,
    });
    if (result.migrationScript === null) {
      out('Already in sync: no schema change.');
      return 0;
    }
    // Native Prisma also rewrites implicit many-to-many primary keys here
    // (transformPostgresMnPrimaryKeyUpgrade); Parley's schema has no implicit m-n relations.
    const file = await writeMigration(ctx.migrationsDir, result.generatedMigrationName, result.migrationScript);
    out(`Created ${rel(file)}`);
    if (args['create-only']) {
      out('Not applied (--create-only). Review it, then run: node tools/migrate/cli.mjs deploy');
      return 0;
    }
    await applyPending(ctx, engine);
    out('Database is now in sync with the schema.');
    return 0;
  });
}

async function reset(ctx, args) {
  if (!args.force) throw new UsageError('reset drops all data; pass --force to confirm');
  info(`Database ${redact(ctx.url)}`);
  const created = await ensureDatabase(ctx.url);
  if (created) out(`Created database "${created}"`);
  return withEngine(ctx, {}, async (engine) => {
    await engine.call('reset', { filter: FILTERS });
    out(`Reset database "${ctx.database}" (all tables, types and data dropped).`);
    const applied = await applyPending(ctx, engine);
    out(`${applied.length} migration(s) applied; database is up to date.`);
    return 0;
  });
}

async function resolve(ctx, args) {
  const rolledBack = args['rolled-back'];
  const applied = args.applied;
  if (Boolean(rolledBack) === Boolean(applied)) {
    throw new UsageError('resolve needs exactly one of --rolled-back <migration> or --applied <migration>');
  }
  info(`Database ${redact(ctx.url)}`);
  return withEngine(ctx, {}, async (engine) => {
    if (rolledBack) {
      await engine.call('markMigrationRolledBack', { migrationName: rolledBack });
      out(`Marked ${rolledBack} as rolled back; the next deploy applies it again.`);
    } else {
      await engine.call('markMigrationApplied', {
        migrationName: applied,
        migrationsList: await listMigrations(ctx.migrationsDir),
      });
      out(`Marked ${applied} as applied (its SQL was not run).`);
    }
    return 0;
  });
}

// ---------------------------------------------------------------------------------------------

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const unexpected = Object.keys(values).filter((k) => !spec.options.includes(k));
  if (unexpected.length || positionals.length) {
    throw new UsageError(`${command} does not take ${[...unexpected.map((k) => `--${k}`), ...positionals].join(' ')}`);
  }
  const started = performance.now();
  const code = await spec.run(makeContext(), values);
  info(`(${command} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return code;
}

let finished = false;
// If the engine leaves a promise that never settles, Node would exit 0 with work undone.
process.on('beforeExit', () => {
  if (!finished) {
    info('migrate: error: the schema engine stopped without finishing (internal error)');
    process.exit(1);
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    finished = true;
    process.exit(code);
  },
  (e) => {
    finished = true;
    const usage = e instanceof UsageError || String(e?.code).startsWith('ERR_PARSE_ARGS');
    info(`migrate: error: ${e?.message ?? e}`);
    if (usage) info(`\n${USAGE}`);
    if (process.env.MIGRATE_DEBUG && e?.stack) info(e.stack);
    process.exit(usage ? 2 : 1);
  },
);
