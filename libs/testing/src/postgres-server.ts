import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { workspaceRoot } from './env';
import { freePorts } from './stack';

const run = promisify(execFile);

export interface PostgresServerOptions {
  /** Fixed port; default: a free one. Restarts always reuse the port. */
  port?: number;
}

/** How pg_ctl stops the server: `immediate` is a crash (no checkpoint), `fast` a clean shutdown. */
export type PostgresStopMode = 'immediate' | 'fast';

function binDir(): string {
  if (process.env['PG_BIN']) return process.env['PG_BIN'];
  for (const v of ['17', '16', '15', '14']) if (existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) return `/usr/lib/postgresql/${v}/bin`;
  throw new Error('initdb not found: set PG_BIN');
}

/**
 * A private Postgres cluster for fault tests (the machine's Postgres is shared): initdb in a
 * temporary directory, trust auth on 127.0.0.1:<port>. Postgres refuses to run as root, so as
 * root it runs as the `postgres` user. `down()` … `up()` or `restart()` keep the data and port;
 * `stop()` removes everything.
 */
export class PostgresServer {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly asUser: number | null,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const port = options.port ?? (await freePorts(1))[0]!;
    const dir = await mkdtemp(join(tmpdir(), 'parley-pg-'));
    const asUser = process.getuid?.() === 0 ? Number((await run('id', ['-u', 'postgres'])).stdout.trim()) : null;
    if (asUser !== null) await chown(dir, asUser, -1);
    const server = new PostgresServer(port, dir, asUser);
    try {
      await server.pg('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
      await server.up();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Connection URL of a database of this server (default `postgres`). */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates `database` with Parley's schema (tools/migrate) and returns its URL. */
  async createParleyDatabase(database = 'parley'): Promise<string> {
    const url = this.url(database);
    await run(process.execPath, [join(workspaceRoot(), 'tools/migrate/cli.mjs'), 'deploy'], { env: { ...process.env, DATABASE_URL: url } });
    return url;
  }

  /** Runs one SQL statement on `database` (e.g. to inspect or sabotage state in a test). */
  async query<T extends object = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'parley'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async up(): Promise<void> {
    if (this.running) return;
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** Stops the server, keeping data and port; every connection is cut. */
  async down(mode: PostgresStopMode = 'immediate'): Promise<void> {
    if (!this.running) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  async restart(options: { mode?: PostgresStopMode; downMs?: number } = {}): Promise<void> {
    await this.down(options.mode);
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.up();
  }

  async stop(): Promise<void> {
    await this.down('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const bin = join(binDir(), tool);
    if (this.asUser === null) await run(bin, args);
    else await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
  }
}
