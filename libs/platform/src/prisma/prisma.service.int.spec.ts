import { testDatabaseUrl } from '@parley/testing';
import { createHook } from 'node:async_hooks';
import { PrismaService } from './prisma.service';

/** Against Postgres: `sql` and Prisma share one pool of DATABASE_POOL_MAX connections. */
describe('PrismaService (Postgres)', () => {
  let prisma: PrismaService;

  beforeAll(() => {
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('application_name', `prisma-int-${process.pid}`);
    prisma = new PrismaService({ DATABASE_URL: url.toString(), DATABASE_POOL_MAX: 2, DATABASE_CONNECT_TIMEOUT_MS: 5_000, DATABASE_POOL_IDLE_MS: 10_000 });
  });

  afterAll(() => prisma.$disconnect());

  it('runs parameterised statements on the pool under the client: Prisma and sql never open more than DATABASE_POOL_MAX connections', async () => {
    expect(await prisma.sql<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [7, 'x'])).toEqual([{ n: 7, s: 'x' }]);
    // Both at once, more than the pool holds: they queue on the same two connections.
    const [raw, viaPrisma] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, () => prisma.sql<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)'))),
      Promise.all(Array.from({ length: 4 }, () => prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_sleep(0.05)::text`)),
    ]);
    const pids = new Set([...raw, ...viaPrisma].map((rows) => rows[0]!.pid));
    expect(pids.size).toBeLessThanOrEqual(2);
    expect(prisma.pool.totalCount).toBeLessThanOrEqual(2);
    const [{ n }] = await prisma.sql<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [
      `prisma-int-${process.pid}`,
    ]);
    expect(n).toBeLessThanOrEqual(2);
  });

  it("a named statement is prepared once per connection and answers with each call's values", async () => {
    // One connection: the statement is prepared on it, and pg_prepared_statements (per connection) shows it.
    const single = new PrismaService({
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_POOL_MAX: 1,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      DATABASE_POOL_IDLE_MS: 10_000,
    });
    try {
      for (const n of [1, 2, 3]) expect(await single.sql<{ n: number }>('SELECT $1::int * 2 AS n', [n], 'int-spec-double')).toEqual([{ n: n * 2 }]);
      const prepared = await single.sql<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE name = 'int-spec-double'");
      expect(prepared).toEqual([{ name: 'int-spec-double' }]);
    } finally {
      await single.$disconnect();
    }
  });

  it('a statement an idle connection serves arms no connection timer (a cleared one would still wake an idle process); a checkout that waits still times out', async () => {
    const CONNECT_TIMEOUT_MS = 1_234;
    const one = new PrismaService({
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_POOL_MAX: 1,
      DATABASE_CONNECT_TIMEOUT_MS: CONNECT_TIMEOUT_MS,
      DATABASE_POOL_IDLE_MS: 10_000,
    });
    let armed = 0;
    const hook = createHook({
      init(_id, type, _trigger, resource) {
        if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === CONNECT_TIMEOUT_MS) armed++;
      },
    });
    try {
      await one.sql('SELECT 1'); // opens the connection
      hook.enable();
      for (let i = 0; i < 5; i++) expect(await one.sql<{ n: number }>('SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
      hook.disable();
      expect(armed).toBe(0);
      // The one connection held elsewhere: the next statement waits for it and gives up after the timeout.
      const held = await one.pool.connect();
      try {
        await expect(one.sql('SELECT 1')).rejects.toThrow(/timeout exceeded/);
      } finally {
        held.release();
      }
      expect(await one.sql<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      hook.disable();
      await one.$disconnect();
    }
  });

  it('a bad statement is a rejected promise: the pool lives on', async () => {
    await expect(prisma.sql('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    expect(await prisma.sql<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
