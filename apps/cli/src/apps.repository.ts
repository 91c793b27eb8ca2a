import type { AppId } from '@parley/contracts';
import { Pool, type DatabaseError } from 'pg';
import { CliError, EXIT_FAILURE } from './cli-error';

export interface AppRecord {
  id: AppId;
  name: string | null;
  /** null = static app (logins need no token). */
  certificate: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewApp {
  name: string | null;
  certificate: string | null;
}

/** The `apps` table (prisma/schema.prisma, model App). */
export interface AppsRepository {
  /** Inserts the app; null when the id is taken (nothing is changed then). */
  create(appId: AppId, app: NewApp): Promise<AppRecord | null>;
  find(appId: AppId): Promise<AppRecord | null>;
  /** All apps, oldest first. */
  list(): Promise<AppRecord[]>;
  /** null when the app does not exist. */
  setCertificate(appId: AppId, certificate: string | null): Promise<AppRecord | null>;
  /** false when the app does not exist. */
  delete(appId: AppId): Promise<boolean>;
  close(): Promise<void>;
}

interface AppRow {
  id: string;
  name: string | null;
  certificate: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, certificate, created_at, updated_at';

const toRecord = (row: AppRow): AppRecord => ({
  id: row.id as AppId,
  name: row.name,
  certificate: row.certificate,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Plain `pg` rather than Prisma: @parley/platform exports PrismaService (a Nest provider) but not the
 * generated PrismaClient, and one table needs no ORM. The pool connects on the first query, so
 * `--help` and argument errors never touch the database.
 */
export class PgAppsRepository implements AppsRepository {
  private readonly pool: Pool;

  constructor(private readonly databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5_000 });
  }

  async create(appId: AppId, app: NewApp): Promise<AppRecord | null> {
    const rows = await this.query(
      `INSERT INTO apps (id, name, certificate, created_at, updated_at) VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [appId, app.name, app.certificate],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async find(appId: AppId): Promise<AppRecord | null> {
    const rows = await this.query(`SELECT ${COLUMNS} FROM apps WHERE id = $1`, [appId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.query(`SELECT ${COLUMNS} FROM apps ORDER BY created_at, id`, []);
    return rows.map(toRecord);
  }

  async setCertificate(appId: AppId, certificate: string | null): Promise<AppRecord | null> {
    const rows = await this.query(`UPDATE apps SET certificate = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [appId, certificate]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(appId: AppId): Promise<boolean> {
    const rows = await this.query(`DELETE FROM apps WHERE id = $1 RETURNING ${COLUMNS}`, [appId]);
    return rows.length > 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(sql: string, params: unknown[]): Promise<AppRow[]> {
    try {
      return (await this.pool.query<AppRow>(sql, params)).rows;
    } catch (err) {
      throw this.explain(err as DatabaseError);
    }
  }

  /** Database failures as one actionable line (exit 1); the URL is shown without its password. */
  private explain(err: DatabaseError): CliError {
    const where = redactUrl(this.databaseUrl);
    switch (err.code ?? '') {
      case '3D000':
        return new CliError(`database of ${where} does not exist: create and migrate it with \`npm run migrate\``, EXIT_FAILURE);
      case '42P01':
        return new CliError(`table "apps" is missing in ${where}: run \`npm run migrate\``, EXIT_FAILURE);
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'ETIMEDOUT':
        return new CliError(`cannot reach Postgres at ${where} (${err.message || err.code}); set DATABASE_URL`, EXIT_FAILURE);
      default:
        return new CliError(`database error at ${where}: ${err.message}`, EXIT_FAILURE);
    }
  }
}

/** postgresql://user:secret@host/db → postgresql://user:***@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
