// Small direct-pg helpers for what the wasm engine does not do: creating the database (the wasm
// engine has no createDatabase; it only talks through an adapter to an existing database) and
// reading `_prisma_migrations` for timings and the applied list.
import pg from 'pg';

import { pgConfigFromUrl } from './engine.mjs';

const DATABASE_MISSING = '3D000';
const TABLE_MISSING = '42P01';

async function withClient(config, fn) {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Does the URL's database exist? Connects to it; a missing database is PG error 3D000. */
export async function databaseExists(url) {
  try {
    await withClient(pgConfigFromUrl(url), () => {});
    return true;
  } catch (e) {
    if (e.code === DATABASE_MISSING) return false;
    throw e;
  }
}

/**
 * Creates the URL's database if missing (as native `prisma migrate deploy|dev` do), via the
 * server's `postgres` maintenance database. Returns the database name if it was created.
 */
export async function ensureDatabase(url) {
  if (await databaseExists(url)) return null;
  const config = pgConfigFromUrl(url);
  return withClient({ ...config, database: 'postgres' }, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(config.database)}`);
      return config.database;
    } catch (e) {
      // Another process (a parallel deploy) created it first: fine. PostgreSQL reports that as
      // 42P04 duplicate_database, or as 23505 on pg_database's name index when both raced.
      if (e.code !== '42P04' && e.code !== '23505') throw e;
      return null;
    }
  });
}

/**
 * Rows of `_prisma_migrations` that count as applied (finished, not rolled back), plus failed ones.
 * Empty when the database or table does not exist yet.
 */
export async function readMigrationsTable(url) {
  try {
    return await withClient(pgConfigFromUrl(url), async (client) => {
      const { rows } = await client.query(
        `SELECT migration_name, started_at, finished_at, rolled_back_at, applied_steps_count
           FROM _prisma_migrations ORDER BY started_at, migration_name`,
      );
      return rows;
    });
  } catch (e) {
    if (e.code === DATABASE_MISSING || e.code === TABLE_MISSING) return [];
    throw e;
  }
}
