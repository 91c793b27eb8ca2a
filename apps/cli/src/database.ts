import { Pool, type DatabaseError, type PoolClient, type QueryResultRow } from 'pg';
import { CliError, EXIT_FAILURE } from './cli-error';

/** What a query runs on: the pool, or one client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]>;
}

/**
 * Plain `pg` rather than Prisma: @parley/platform exports PrismaService (a Nest provider) but not the
 * generated PrismaClient, and a few tables need no ORM. The pool connects on the first query, so
 * `--help`, argument errors and admin-API mode never touch the database. Failures become one
 * actionable line (exit 1) with the URL shown without its password.
 */
export class PgDatabase implements Queryable {
  private readonly pool: Pool;

  constructor(private readonly databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5_000 });
  }

  async query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw this.explain(err as DatabaseError);
    }
  }

  /** Runs `work` in one transaction (rolled back when it throws). */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.explain(err as DatabaseError);
    }
    const tx: Queryable = {
      query: async <R extends QueryResultRow>(sql: string, params: unknown[]) => {
        try {
          return (await client.query<R>(sql, params)).rows;
        } catch (err) {
          throw this.explain(err as DatabaseError);
        }
      },
    };
    try {
      await tx.query('BEGIN', []);
      const result = await work(tx);
      await tx.query('COMMIT', []);
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private explain(err: DatabaseError): CliError {
    const where = redactUrl(this.databaseUrl);
    switch (err.code ?? '') {
      case '3D000':
        return new CliError(`database of ${where} does not exist: create and migrate it with \`npm run migrate\``, EXIT_FAILURE);
      case '42P01':
        return new CliError(`${err.message} in ${where}: run \`npm run migrate\``, EXIT_FAILURE);
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
