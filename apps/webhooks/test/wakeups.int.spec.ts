import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { configureSubjects, Subjects } from '@parley/contracts/internal';
import { connectNatsClients, PrismaService } from '@parley/platform';
import { createTestApp, testDatabaseUrl } from '@parley/testing';
import { Client, type Notification } from 'pg';
import { CaptureSettingsRelay } from '../src/dispatch/capture-settings-relay';
import { DeliveriesRepository } from '../src/dispatch/deliveries.repository';
import { OutboxSignal, WEBHOOKS_NOTIFY_CHANNEL } from '../src/dispatch/outbox-signal';
import { claimLimits, appIds } from './outbox-fixtures';
import { FanoutRepository, messagesCursor } from '../src/fanout/fanout.repository';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Medium" tests against Postgres of what lets the webhooks replicas sleep (issue 14): the next due
 * time read by the claim, the notifications (triggers of migration 20261204100000_webhooks_wakeups,
 * the fan-out's own) and the fan-out's one-statement probe. The database is shared with other
 * suites: assertions look only at this suite's rows, payloads and backend.
 */
describe('webhook wake-ups (Postgres)', () => {
  let prisma: PrismaService;
  let deliveries: DeliveriesRepository;
  let fanout: FanoutRepository;
  /** Listens on the channel and runs the statements whose notifications are checked (its own pid). */
  let db: Client;
  let dbPid: number;
  const heard: Notification[] = [];
  const { ids: apps, next: newApp } = appIds();
  const limits = claimLimits;

  async function endpoint(appId: string, enabled = true, client: { query: Client['query'] } | undefined = undefined): Promise<string> {
    const id = randomUUID();
    const sql = `INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, enabled, created_at)
                 VALUES ($1::uuid, $2, 'http://127.0.0.1:9/', 's', '{}', $3, now() - interval '1 minute')`;
    if (client) await client.query(sql, [id, appId, enabled]);
    else await prisma.$executeRawUnsafe(sql, id, appId, enabled);
    return id;
  }

  /** Notifications this suite's own backend sent, after `since`. */
  const ownSince = (since: number) => heard.slice(since).filter((n) => n.processId === dbPid);
  const payloadsSince = (since: number) => heard.slice(since).map((n) => n.payload);

  beforeAll(async () => {
    Logger.overrideLogger(false);
    prisma = new PrismaService(testDatabaseUrl());
    deliveries = new DeliveriesRepository(prisma);
    fanout = new FanoutRepository(prisma);
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    dbPid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    db.on('notification', (n) => heard.push(n));
    await db.query(`LISTEN "${WEBHOOKS_NOTIFY_CHANNEL}"`);
    await fanout.ensureCursor();
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM webhook_deliveries WHERE app_id = ANY(${apps}::text[])`;
    await prisma.$executeRaw`DELETE FROM webhook_endpoints WHERE app_id = ANY(${apps}::text[])`;
    await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ANY(${apps}::text[])`;
    await prisma.$executeRaw`DELETE FROM apps WHERE id = ANY(${apps}::text[])`;
    await Promise.all([prisma.$disconnect(), db.end()]);
  });

  it('claim reads when the next row falls due: the earliest future retry or lease of an enabled endpoint', async () => {
    const appId = newApp();
    const on = await endpoint(appId);
    const off = await endpoint(appId, false);
    await prisma.$executeRaw`
      INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body, next_attempt_at) VALUES
        (gen_random_uuid(), ${off}::uuid, ${appId}, 'user.online', 'k0', '{}', now() + interval '1 second'),
        (gen_random_uuid(), ${on}::uuid, ${appId}, 'user.online', 'k1', '{}', now()),
        (gen_random_uuid(), ${on}::uuid, ${appId}, 'user.online', 'k2', '{}', now() + interval '3 seconds')`;
    const first = await deliveries.claim(limits());
    const claimed = first.claimed.filter((r) => r.endpointId === on);
    expect(claimed).toHaveLength(1);
    // Not the disabled endpoint's row (1 s), not the row just claimed (its lease is 60 s): k2's 3 s.
    expect(first.nextDueMs).toBeGreaterThan(2_000);
    expect(first.nextDueMs).toBeLessThanOrEqual(3_000);
    // A retry sooner than that is what the next claim reads.
    expect(await deliveries.failed(claimed[0]!.id, claimed[0]!.attempts, { error: 'HTTP 500', status: 500, retryInMs: 1_500 })).toBe(true);
    const second = await deliveries.claim(limits());
    expect(second.claimed.filter((r) => r.endpointId === on)).toEqual([]);
    expect(second.nextDueMs).toBeGreaterThan(1_000);
    expect(second.nextDueMs).toBeLessThanOrEqual(1_500);
  });

  it('the database notifies when an endpoint is created or enabled and when deliveries are replayed, never on the dispatchers own updates', async () => {
    const appId = newApp();
    const since = heard.length;
    const id = await endpoint(appId, true, db);
    const disabled = await endpoint(appId, false, db);
    await sleep(100);
    // 'c' too: an enabled endpoint may change which apps capture messages (trigger names fire in order).
    expect(ownSince(since).map((n) => n.payload)).toEqual(['c', 'e']);

    const mark = heard.length;
    await db.query('UPDATE webhook_endpoints SET enabled = false WHERE id = $1', [id]);
    await db.query('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', [disabled, 'http://127.0.0.1:8/']);
    // The outbox as the fan-out and the dispatchers write it: insert, claim, retry, deliver, die.
    await db.query(
      `INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body)
       SELECT gen_random_uuid(), $1::uuid, $2, 'user.online', 'k' || i, '{}' FROM generate_series(1, 3) AS i`,
      [id, appId],
    );
    await db.query(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = now() + interval '1 minute' WHERE app_id = $1`, [appId]);
    await db.query(`UPDATE webhook_deliveries SET state = 0, next_attempt_at = now() WHERE app_id = $1 AND ordering_key = 'k1'`, [appId]);
    await db.query(`UPDATE webhook_deliveries SET state = 1, delivered_at = now() WHERE app_id = $1 AND ordering_key = 'k2'`, [appId]);
    await db.query(`UPDATE webhook_deliveries SET state = 2 WHERE app_id = $1 AND ordering_key IN ('k1', 'k3')`, [appId]);
    await sleep(100);
    // Only the capture settings' 'c' for the disabled endpoint: nothing for the dispatchers to do.
    expect(ownSince(mark).map((n) => n.payload)).toEqual(['c']);

    // The admin API's replay (dead → pending) and enabling an endpoint again: one notification per statement.
    const again = heard.length;
    await db.query(`UPDATE webhook_deliveries SET state = 0, next_attempt_at = now(), attempts = 0 WHERE app_id = $1 AND state = 2`, [appId]);
    await db.query('UPDATE webhook_endpoints SET enabled = true WHERE id = $1', [id]);
    await sleep(100);
    expect(ownSince(again).map((n) => n.payload)).toEqual(['r', 'c', 'e']);
  });

  async function storeAllApp() {
    const app = await createTestApp();
    apps.push(app.appId);
    await db.query('UPDATE apps SET history_store_all = true WHERE id = $1', [app.appId]);
    return app;
  }

  it('which apps capture messages or store every message: the database says when either may have changed, the relay tells NATS', async () => {
    const app = await createTestApp();
    const appId = app.appId;
    apps.push(appId);
    const since = heard.length;
    const id = await endpoint(appId, true, db);
    await db.query('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', [id, 'http://127.0.0.1:8/']); // changes no set
    await db.query(`UPDATE webhook_endpoints SET event_types = '{message.peer}' WHERE id = $1`, [id]);
    await db.query('UPDATE webhook_endpoints SET event_types = event_types WHERE id = $1', [id]); // unchanged
    await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
    await db.query('UPDATE apps SET name = $2 WHERE id = $1', [appId, 'renamed']); // changes no set
    await db.query('UPDATE apps SET history_store_all = true WHERE id = $1', [appId]);
    await db.query('UPDATE apps SET history_store_all = true WHERE id = $1', [appId]); // unchanged
    await db.query('DELETE FROM apps WHERE id = $1', [appId]);
    await sleep(100);
    expect(ownSince(since).map((n) => n.payload)).toEqual(['c', 'e', 'c', 'c', 'c', 'c']);

    // The relay: a replica's listen connection hears 'c' and every gateway and API replica is told on NATS.
    const prefix = Subjects.prefix;
    configureSubjects(`wh-int-${randomBytes(4).toString('hex')}`);
    const nats = await connectNatsClients({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', name: 'wakeups-int' });
    const told = jest.fn();
    const sub = nats.bus.subscribe(Subjects.captureSettingsChanged, told);
    const signal = new OutboxSignal(testDatabaseUrl());
    const relay = new CaptureSettingsRelay(signal, nats.bus);
    relay.onApplicationBootstrap();
    await signal.onApplicationBootstrap();
    try {
      // Once after connecting (whatever changed while it was not listening)...
      for (let i = 0; i < 40 && told.mock.calls.length < 1; i++) await sleep(50);
      expect(told).toHaveBeenCalled();
      // ...then for a change (other suites share the database: their changes are told too, so only
      // the trigger-level assertions above show what is not).
      const before = told.mock.calls.length;
      await db.query('UPDATE apps SET history_store_all = false WHERE id = $1', [(await storeAllApp()).appId]);
      for (let i = 0; i < 40 && told.mock.calls.length <= before; i++) await sleep(50);
      expect(told.mock.calls.length).toBeGreaterThan(before);
    } finally {
      relay.onApplicationShutdown();
      await signal.onApplicationShutdown();
      nats.bus.unsubscribe(sub);
      await nats.close();
      configureSubjects(prefix);
    }
  });

  it("a fan-out that queued rows wakes the other replicas' dispatchers on commit; one that queued none sends nothing", async () => {
    const replicaA = new OutboxSignal(testDatabaseUrl());
    const replicaB = new OutboxSignal(testDatabaseUrl());
    const woken = jest.fn();
    await Promise.all([replicaA.onApplicationBootstrap(), replicaB.onApplicationBootstrap()]);
    replicaB.subscribe({ due: woken });
    try {
      const appId = newApp();
      const ep = await endpoint(appId);
      await prisma.$executeRaw`
        INSERT INTO app_events (app_id, kind, type, uid, ts) SELECT ${appId}, 'user', 'Login', 'u' || i, clock_timestamp() FROM generate_series(1, 3) AS i`;
      const since = heard.length;
      // Catch up with whatever the shared database holds (other replicas may fan out too).
      let queued = 0;
      for (let i = 0; i < 200; i++) {
        const result = await fanout.fanOut(5_000, Date.now(), replicaA.duePayload);
        if (result.rows > 0) queued += 1;
        const [{ n }] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ${ep}::uuid`;
        if (Number(n) >= 3 && result.events === 0) break;
      }
      await sleep(200);
      const fromA = payloadsSince(since).filter((p) => p === replicaA.duePayload).length;
      expect(queued).toBeGreaterThanOrEqual(1);
      // One notification per transaction that queued rows, none for the others.
      expect(fromA).toBe(queued);
      expect(woken).toHaveBeenCalled();
    } finally {
      await Promise.all([replicaA.onApplicationShutdown(), replicaB.onApplicationShutdown()]);
    }
  });

  it('the listener reconnects after losing its connection and then wakes every sleeper once (notifications meanwhile are lost)', async () => {
    const name = `wh-int-${randomBytes(4).toString('hex')}`;
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('application_name', name);
    const signal = new OutboxSignal(url.toString());
    const due = jest.fn();
    const endpointCreated = jest.fn();
    signal.subscribe({ due, endpoint: endpointCreated });
    await signal.onApplicationBootstrap();
    try {
      expect([due.mock.calls.length, endpointCreated.mock.calls.length]).toEqual([1, 1]);
      const terminated = await prisma.$queryRaw<{ ok: boolean }[]>`
        SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${name}`;
      expect(terminated).toEqual([{ ok: true }]);
      for (let i = 0; i < 50 && due.mock.calls.length < 2; i++) await sleep(100);
      expect([due.mock.calls.length, endpointCreated.mock.calls.length]).toEqual([2, 2]);
      // Listening again: another replica's rows wake it.
      await prisma.$executeRaw`SELECT pg_notify(${WEBHOOKS_NOTIFY_CHANNEL}, 'd:elsewhere')`;
      for (let i = 0; i < 20 && due.mock.calls.length < 3; i++) await sleep(50);
      expect(due.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      await signal.onApplicationShutdown();
    }
  });

  it('probe: one statement tells whether events wait and where the messages cursor is; with no endpoint it skips the cursor ahead', async () => {
    const appId = newApp();
    await endpoint(appId);
    await prisma.$executeRaw`INSERT INTO app_events (app_id, kind, type, uid, ts) VALUES (${appId}, 'user', 'Login', 'u1', now() - interval '1 minute')`;
    const probe = await fanout.probe();
    expect(probe.anyEndpoint).toBe(true);
    expect(probe.eventsWaiting).toBe(true);
    const messageEndpoint = await endpoint(appId);
    await prisma.$executeRaw`UPDATE webhook_endpoints SET event_types = '{user.online,message.peer}' WHERE id = ${messageEndpoint}::uuid`;
    expect((await fanout.probe()).messagesWanted).toBe(true);
    // This deployment's messages cursor (ensureCursor made it), as the probe read it.
    await prisma.$executeRaw`UPDATE webhook_cursors SET last_seq = 41, source_epoch = 1234 WHERE name = ${messagesCursor()}`;
    expect((await fanout.probe()).messages).toEqual({ lastSeq: 41, epoch: 1234 });

    // In a transaction rolled back at the end: first with endpoints (the cursor stays), then with
    // every endpoint disabled (it moves past the events older than the grace).
    const rollback = new Error('rollback');
    await expect(
      prisma.$transaction(async (tx) => {
        const inTx = new FanoutRepository(tx as unknown as PrismaService);
        const cursor = async () =>
          (await tx.$queryRaw<{ pos: string }[]>`SELECT last_xid::text || '/' || last_seq AS pos FROM webhook_cursors WHERE name = 'events'`)[0]!.pos;
        await tx.$executeRaw`SELECT 1 FROM webhook_cursors WHERE name = 'events' FOR UPDATE`;
        const before = await cursor();
        expect((await inTx.probe()).anyEndpoint).toBe(true);
        expect(await cursor()).toBe(before);
        await tx.$executeRaw`UPDATE webhook_endpoints SET enabled = false WHERE enabled`;
        const [expected] = await tx.$queryRaw<{ pos: string }[]>`
          SELECT greatest_pos AS pos FROM (
            SELECT CASE WHEN l.xid IS NULL OR (l.xid, l.seq) <= (c.last_xid, c.last_seq) THEN c.last_xid::text || '/' || c.last_seq
                        ELSE l.xid::text || '/' || l.seq END AS greatest_pos
            FROM webhook_cursors c LEFT JOIN LATERAL (
              SELECT xid, seq FROM app_events WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND ts < now() - interval '10 seconds'
              ORDER BY xid DESC, seq DESC LIMIT 1
            ) l ON true WHERE c.name = 'events'
          ) x`;
        // This suite's event (a minute old, committed) is past the cursor: there is somewhere to move to.
        expect(expected!.pos).not.toBe(before);
        const idle = await inTx.probe();
        expect(idle).toMatchObject({ anyEndpoint: false, eventsWaiting: false });
        expect(await cursor()).toBe(expected!.pos);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });
});
