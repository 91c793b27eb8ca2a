// Loads Prisma's schema engine compiled to WebAssembly and connects it to PostgreSQL through
// @prisma/adapter-pg 7.10.1, working around that adapter's bugs (each marked "Workaround (n)"
// below; README.md lists them).
//
// Why not the `prisma` CLI: every `prisma migrate …` command first downloads the native schema
// engine, which this network cannot reach. The wasm build is the same engine (same SQL, same
// `_prisma_migrations` bookkeeping), so migrations stay compatible with native `prisma migrate`.
import { readFile } from 'node:fs/promises';

import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

/** PostgreSQL's internal single-byte `"char"` type (pg_class.relkind, pg_constraint.contype, …). */
const OID_CHAR = 18;
const OID_TEXT = 25;

/**
 * Turns a postgres:// URL into discrete pg config fields.
 *
 * Workaround (2): adapter-pg opens the shadow database with `new Pool({ ...config, database })`.
 * When `config` holds a `connectionString`, pg lets the string win over `database`, so the
 * "shadow" pool silently talks to the main database. With discrete fields the override works.
 */
export function pgConfigFromUrl(url) {
  const u = new URL(url);
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must be a postgresql:// URL, got ${u.protocol}//…`);
  }
  const config = {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  // libpq's sslmode, as far as pg can follow it: pg cannot fall back from TLS to plain, so
  // allow/prefer mean no TLS; require encrypts without checking the certificate.
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode === 'require') config.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = { rejectUnauthorized: true };
  for (const key of u.searchParams.keys()) {
    if (key !== 'sslmode') {
      // e.g. ?schema=: the engine would still migrate `public`; refuse rather than surprise.
      throw new Error(`DATABASE_URL parameter "${key}" is not supported by tools/migrate`);
    }
  }
  return config;
}

/**
 * Workaround (1): the engine's schema describer selects `"char"` columns (OID 18); adapter-pg has
 * no column type for that OID and throws UnsupportedNativeDataType. pg returns the value as a
 * one-character string anyway, so reporting the column as text (OID 25) is exact.
 */
function reportCharAsText(queryable) {
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) {
      if (field.dataTypeID === OID_CHAR) field.dataTypeID = OID_TEXT;
    }
    return result;
  };
  return queryable;
}

/**
 * Workaround (4, not in toolchain.md): adapter-pg's executeScript splits the script on every `;`
 * and runs the pieces one by one. That breaks `;` inside strings and `DO $$ … $$` bodies, and a
 * failing statement leaves the earlier ones applied. The engine runs each migration.sql through
 * executeScript, so send the script whole, as the native engine does: one simple-protocol query,
 * which PostgreSQL runs as a single implicit transaction (all or nothing).
 */
function executeScriptWhole(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error); // rethrows as DriverAdapterError, like the original
    }
  };
}

function patchAdapter(adapter) {
  reportCharAsText(adapter);
  executeScriptWhole(adapter);
  // Transactions run on their own pooled client object with its own performIO.
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => reportCharAsText(await startTransaction(...args));
  return adapter;
}

/** PrismaPg with the fixes above and below; everything else is adapter-pg's own code. */
class PatchedPrismaPg extends PrismaPg {
  /**
   * Workaround (5): adapters the engine opened. It never disposes the main one, and its idle pool
   * keeps Node running for ~10 s after the work is done; close() disposes them all.
   */
  opened = new Set();

  async connect() {
    const adapter = patchAdapter(await super.connect());
    this.track(adapter);
    return adapter;
  }

  track(adapter) {
    const dispose = adapter.dispose.bind(adapter);
    let disposed;
    adapter.dispose = () => {
      this.opened.delete(adapter);
      disposed ??= dispose();
      return disposed;
    };
    this.opened.add(adapter);
  }

  async disposeAll() {
    await Promise.allSettled([...this.opened].map((a) => a.dispose()));
  }

  /**
   * Workaround (3): adapter-pg's shadow-db dispose runs `DROP DATABASE` while its own pool still
   * holds connections to it (so the drop fails), and never closes the main-db pool it used to
   * create the database. Here: close the shadow pool first, then DROP … WITH (FORCE), then close.
   */
  async connectToShadowDb() {
    const main = patchAdapter(await super.connect());
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const pool = new pg.Pool({ ...this.config, database });
    let disposing = false;
    // pool.end() resolves before its sockets have closed, so DROP … WITH (FORCE) may terminate a
    // backend that is already on its way out; pg reports that as an 'error' on the pool, which
    // would crash the process without a listener. Only errors outside dispose are worth keeping.
    pool.on('error', (err) => {
      if (!disposing) this.options?.onPoolError?.(err);
    });
    const shadow = new main.constructor(pool, this.options, async () => {
      disposing = true;
      await pool.end();
      try {
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await main.dispose();
      }
    });
    patchAdapter(shadow);
    this.track(shadow);
    return shadow;
  }
}

let wasmModule;

/**
 * Instantiates the wasm engine by hand instead of `import '@prisma/schema-engine-wasm'`: that
 * entry point uses ESM-integrated wasm imports, which Node 24 flags as experimental (warning on
 * stderr) and Node 22 does not support without a flag.
 */
async function loadWasm() {
  if (wasmModule) return wasmModule;
  // The package exports only `.` and `./schema_engine_bg`; the .wasm file sits next to the latter.
  const bgUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bg = await import(bgUrl);
  const bytes = await readFile(new URL('schema_engine_bg.wasm', bgUrl));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  wasmModule = bg;
  return bg;
}

/**
 * Starts a schema engine against `url`.
 * @param {{ url: string, schemaFiles?: {path: string, content: string}[], log?: (line: string) => void }} opts
 * @returns {Promise<{ call: (method: string, input?: object) => Promise<any>, close: () => Promise<void> }>}
 */
export async function startEngine({ url, schemaFiles, log = () => {} }) {
  const { SchemaEngine } = await loadWasm();
  const pgFactory = new PatchedPrismaPg(pgConfigFromUrl(url));
  const factory = bindMigrationAwareSqlAdapterFactory(pgFactory);
  // `datamodels` must be undefined or non-empty ([path, content] pairs).
  const datamodels = schemaFiles?.length ? schemaFiles.map((f) => [f.path, f.content]) : undefined;
  let engine;
  try {
    engine = await SchemaEngine.new({ datamodels }, log, factory);
  } catch (e) {
    await pgFactory.disposeAll();
    throw unwrapError(e);
  }
  return {
    // Calls must go through the engine object (a detached method loses its wasm pointer).
    async call(method, input) {
      try {
        return await engine[method](input);
      } catch (e) {
        throw unwrapError(e);
      }
    },
    async close() {
      engine.free();
      await pgFactory.disposeAll();
    },
  };
}

/**
 * Engine errors carry a Prisma code (P3018, …) and a message followed by a Rust span trace
 * ("   0: schema_engine_wasm::…  at …rs:123") that means nothing to a user; keep the message.
 */
function unwrapError(e) {
  if (!e || typeof e !== 'object') return new Error(String(e));
  const full = String(e.message ?? e);
  let message = full.split(/\n\s+0: [a-z_]+::/)[0].trimEnd();
  // A failing migration is named only inside that trace; that name is the one thing to keep.
  const migration = /with migration_name="([^"]+)"/.exec(full)?.[1];
  if (migration && !message.includes(migration)) message = `migration ${migration} failed: ${message}`;
  const wrapped = new Error(e.code ? `${e.code}: ${message}` : message);
  if (e.code) wrapped.code = e.code;
  wrapped.cause = e;
  return wrapped;
}
