import { randomUUID } from 'node:crypto';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { DeliveriesRepository, type ClaimResult } from '../src/dispatch/deliveries.repository';
import { claimLimits, appIds } from './outbox-fixtures';
import { FanoutRepository } from '../src/fanout/fanout.repository';

/** "Medium" test against Postgres: the fan-out transaction and the outbox claims of two dispatchers. */
describe('webhook outbox (Postgres)', () => {
  let prisma: PrismaService;
  let other: PrismaService;
  let a: DeliveriesRepository;
  let b: DeliveriesRepository;
  const { ids: apps, next: newApp } = appIds();
  const limits = claimLimits;

  async function endpoint(appId: string, over: { eventTypes?: string[]; enabled?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    await prisma.$executeRaw`
      INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, enabled, created_at)
      VALUES (${id}::uuid, ${appId}, 'http://127.0.0.1:9/', 's', ${over.eventTypes ?? []}::varchar[], ${over.enabled ?? true}, now() - interval '1 minute')`;
    return id;
  }

  /** Queues `n` deliveries per key for the endpoint, keys k0…k(keys-1), interleaved, oldest first. */
  async function queue(appId: string, endpointId: string, keys: number, n: number): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body)
      SELECT gen_random_uuid(), ${endpointId}::uuid, ${appId}, 'user.online', 'k' || (i % ${keys}::int), '{"i":' || i || '}'
      FROM generate_series(0, ${keys * n - 1}::int) AS i ORDER BY i`;
  }

  const mine = (result: ClaimResult, endpointIds: string[]) => result.claimed.filter((r) => endpointIds.includes(r.endpointId));

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    other = new PrismaService(testDatabaseUrl());
    a = new DeliveriesRepository(prisma);
    b = new DeliveriesRepository(other);
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM webhook_deliveries WHERE app_id = ANY(${apps}::text[])`;
    await prisma.$executeRaw`DELETE FROM webhook_endpoints WHERE app_id = ANY(${apps}::text[])`;
    await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ANY(${apps}::text[])`;
    await Promise.all([prisma.$disconnect(), other.$disconnect()]);
  });

  it('two dispatchers claiming at once never take one row twice, and take one row per ordering key, the oldest', async () => {
    const appId = newApp();
    const ep = await endpoint(appId);
    await queue(appId, ep, 20, 5);
    const [x, y] = await Promise.all([a.claim(limits()), b.claim(limits())]);
    const claimed = [...mine(x, [ep]), ...mine(y, [ep])];
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed.map((r) => r.id)).size).toBe(20);
    // The first row of each key: bodies 0…19.
    expect(claimed.map((r) => (JSON.parse(r.body) as { i: number }).i).sort((p, q) => p - q)).toEqual([...Array(20).keys()]);
    expect(claimed.every((r) => r.attempts === 1)).toBe(true);
    // In flight: nothing more of these keys until they are recorded.
    expect(mine(await a.claim(limits()), [ep])).toEqual([]);
    // Delivered in order: the next row of each key comes, and only it.
    const recorded = await a.delivered(claimed.map((r) => ({ id: r.id, attempts: r.attempts, status: 200 })));
    expect([...recorded].sort()).toEqual(claimed.map((r) => r.id).sort());
    const next = mine(await b.claim(limits()), [ep]);
    expect(next.map((r) => (JSON.parse(r.body) as { i: number }).i).sort((p, q) => p - q)).toEqual([...Array(20).keys()].map((i) => i + 20));
  });

  it('keeps a failed row at the head of its key until it is retried, and fences a lost claim', async () => {
    const appId = newApp();
    const ep = await endpoint(appId);
    await queue(appId, ep, 1, 3);
    const [first] = mine(await a.claim(limits()), [ep]);
    expect(await a.failed(first!.id, first!.attempts, { status: 500, error: 'HTTP 500', retryInMs: 0 })).toBe(true);
    const [again] = mine(await b.claim(limits()), [ep]);
    expect(again!.id).toBe(first!.id);
    expect(again!.noticeId).toBe(first!.noticeId);
    expect(again!.attempts).toBe(2);
    // The first attempt's late result is refused: the row belongs to the second attempt now.
    expect((await a.delivered([{ id: first!.id, attempts: 1, status: 200 }])).size).toBe(0);
    expect(await b.failed(again!.id, again!.attempts, { error: 'gone' })).toBe(true);
    // Dead: the key moves on.
    const [third] = mine(await a.claim(limits()), [ep]);
    expect((JSON.parse(third!.body) as { i: number }).i).toBe(1);
  });

  it('respects per-endpoint allowances: open circuits get nothing, a busy endpoint its remaining slots', async () => {
    const appId = newApp();
    const open = await endpoint(appId);
    const busy = await endpoint(appId);
    const idle = await endpoint(appId);
    for (const ep of [open, busy, idle]) await queue(appId, ep, 10, 1);
    const claimed = mine(
      await a.claim(
        limits({
          perEndpoint: 4,
          endpointSlots: new Map([
            [open, 0],
            [busy, 2],
          ]),
        }),
      ),
      [open, busy, idle],
    );
    const per = (ep: string) => claimed.filter((r) => r.endpointId === ep).length;
    expect([per(open), per(busy), per(idle)]).toEqual([0, 2, 4]);
  });

  it('counts pending deliveries in all and the apps over each threshold', async () => {
    const before = await a.pendingCounts([2, 5]);
    const small = newApp();
    const big = newApp();
    await queue(small, await endpoint(small), 1, 3);
    await queue(big, await endpoint(big), 2, 4);
    const after = await a.pendingCounts([2, 5]);
    expect(after.total - before.total).toBe(11);
    expect(after.appsOver.map((n, i) => n - before.appsOver[i]!)).toEqual([2, 1]);
  });

  it('does not claim for a disabled endpoint', async () => {
    const appId = newApp();
    const ep = await endpoint(appId, { enabled: false });
    await queue(appId, ep, 2, 1);
    expect(mine(await a.claim(limits()), [ep])).toEqual([]);
  });

  it('fans events out once, from one replica at a time, in the order of each user', async () => {
    const appId = newApp();
    const all = await endpoint(appId);
    const joins = await endpoint(appId, { eventTypes: ['channel.join'] });
    const fanA = new FanoutRepository(prisma);
    const fanB = new FanoutRepository(other);
    await fanA.ensureCursor();
    await prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts)
      SELECT ${appId}, k, t, 'u' || (i % 3), c, clock_timestamp() FROM generate_series(1, 30) AS i,
      LATERAL (SELECT CASE WHEN i % 2 = 0 THEN 'user' ELSE 'channel' END AS k) kk,
      LATERAL (SELECT CASE WHEN kk.k = 'user' THEN (CASE WHEN i % 4 = 0 THEN 'Logout' ELSE 'Login' END) ELSE 'Join' END AS t,
                      CASE WHEN kk.k = 'channel' THEN 'room' END AS c) tt
      ORDER BY i`;
    // Catch up with whatever the shared database holds; both replicas race for the cursor.
    for (let i = 0; i < 200; i++) {
      const [r1, r2] = await Promise.all([fanA.fanOut(5_000, Date.now()), fanB.fanOut(5_000, Date.now())]);
      expect(r1.busy && r2.busy).toBe(false);
      const [{ n }] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM webhook_deliveries WHERE app_id = ${appId}`;
      if (Number(n) >= 45 && r1.events === 0 && r2.events === 0) break;
    }
    const rows = await prisma.$queryRaw<{ endpoint_id: string; ordering_key: string; event_type: string; body: string }[]>`
      SELECT endpoint_id::text, ordering_key, event_type, body FROM webhook_deliveries WHERE app_id = ${appId} ORDER BY id`;
    // 30 events → all: 30 rows; joins: the 15 Join events only.
    expect(rows.filter((r) => r.endpoint_id === all)).toHaveLength(30);
    expect(rows.filter((r) => r.endpoint_id === joins).map((r) => r.event_type)).toEqual(Array(15).fill('channel.join'));
    const bodies = rows.map((r) => JSON.parse(r.body) as { noticeId: string; sid: string; event: string });
    expect(new Set(bodies.map((b) => b.noticeId)).size).toBe(45);
    // Per user key, events arrive in the order they were recorded.
    for (const key of ['user:u0', 'user:u1', 'user:u2']) {
      const sids = rows.filter((r) => r.endpoint_id === all && r.ordering_key === key).map((r) => BigInt((JSON.parse(r.body) as { sid: string }).sid));
      expect(sids).toEqual([...sids].sort((p, q) => (p < q ? -1 : 1)));
    }
  });
});
