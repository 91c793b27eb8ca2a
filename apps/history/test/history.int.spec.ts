import type { INestApplication } from '@nestjs/common';
import { ErrorCode, MessageKind, ParleyError, type AppId, type WireMessage } from '@parley/contracts';
import { HistorySubjects, type HistoryCountReply, type HistoryPageReply, type HistoryQueryReply } from '@parley/contracts/internal';
import { HistoryCapture } from '@parley/delivery';
import { bootstrap, connectNatsClients, PrismaService, type NatsClients } from '@parley/platform';
import { createTestApp, testDatabaseUrl, waitFor } from '@parley/testing';
import { AppModule } from '../src/app.module';
import { readHistoryConfig } from '../src/config/history.config';
import { MaintenanceService } from '../src/maintenance/maintenance.service';
import { dayOf, PartitionsRepository } from '../src/store/partitions.repository';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const text = (t: string): WireMessage => ({ k: MessageKind.TEXT, text: t });
const DAY_MS = 86_400_000;

/**
 * The history service as it runs (two replicas of AppModule through the real bootstrap) with the
 * capture the gateway and the server API use: captures are stored once, pages and Agora 1.x queries
 * read them within the app's retention and size cap, whole days are dropped.
 */
describe('history service (NATS, JetStream, Postgres)', () => {
  let replicas: INestApplication[] = [];
  let nats: NatsClients;
  let prisma: PrismaService;
  let capture: HistoryCapture;
  let appId: AppId;
  let otherApp: AppId;
  const apps: string[] = [];

  const page = (req: object) => nats.services.request<HistoryPageReply>(HistorySubjects.page, { appId, limit: 20, ...req });
  const query = (req: object) => nats.services.request<HistoryQueryReply>(HistorySubjects.query, { appId, startMs: 0, endMs: Date.now() + 60_000, ...req });
  const count = async (req: object) =>
    (await nats.services.request<HistoryCountReply>(HistorySubjects.count, { appId, startMs: 0, endMs: Date.now() + 60_000, ...req })).count;
  const texts = (r: { msgs: { m: WireMessage }[] }) => r.msgs.map((x) => x.m.text);

  async function stored(n: number, app: string = appId): Promise<void> {
    await waitFor(async () => (await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM history_messages WHERE app_id = ${app}`)[0]!.n >= BigInt(n), {
      what: `${n} stored messages`,
    });
  }

  beforeAll(async () => {
    const config = readHistoryConfig({
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL,
      PARLEY_SUBJECT_PREFIX: process.env['PARLEY_SUBJECT_PREFIX'],
      LOG_LEVEL: 'silent',
      HISTORY_FETCH_WAIT_MS: '1000',
      HISTORY_MAINTENANCE_MS: '3600000',
    });
    for (let i = 0; i < 2; i++) replicas.push(await bootstrap({ name: 'history', module: AppModule.register(config), config, microservice: true }));
    nats = await connectNatsClients({ servers: NATS_URL, name: 'history-test' });
    prisma = new PrismaService(testDatabaseUrl());
    capture = new HistoryCapture(nats.bus, prisma);
    appId = (await createTestApp()).appId as AppId;
    otherApp = (await createTestApp()).appId as AppId;
    apps.push(appId, otherApp);
  });

  afterAll(async () => {
    for (const r of replicas) await r.close();
    replicas = [];
    for (const app of apps) {
      await prisma.$executeRaw`DELETE FROM history_messages WHERE app_id = ${app}`;
      await prisma.$executeRaw`DELETE FROM history_usage WHERE app_id = ${app}`;
      await prisma.$executeRaw`DELETE FROM history_cutoffs WHERE app_id = ${app}`;
      await prisma.$executeRaw`DELETE FROM apps WHERE id = ${app}`;
    }
    await prisma?.$disconnect();
    await nats?.close();
  });

  it('stores captures once and pages a channel newest first, continuing exactly from the oldest ts of a page', async () => {
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 25; i++) await capture.channel(appId, 'room', `u${i % 3}`, `m${i}`, t0 + i, text(`c${i}`));
    // A resend (same id) within the duplicate window is one capture; another app's message stays apart.
    await capture.channel(appId, 'room', 'u0', 'm0', t0, text('c0'));
    await capture.channel(otherApp, 'room', 'x', 'o1', t0, text('other'));
    await stored(25);
    const first = await page({ kind: 'channel', a: 'room', limit: 10 });
    expect(texts(first)).toEqual(['c24', 'c23', 'c22', 'c21', 'c20', 'c19', 'c18', 'c17', 'c16', 'c15']);
    expect(first.more).toBe(true);
    expect(first.msgs[0]).toMatchObject({ k: 'channel', from: 'u0', to: 'room', id: 'm24', ts: t0 + 24 });
    const second = await page({ kind: 'channel', a: 'room', limit: 10, before: first.msgs.at(-1)!.ts });
    const third = await page({ kind: 'channel', a: 'room', limit: 10, before: second.msgs.at(-1)!.ts });
    expect([...texts(second), ...texts(third)]).toEqual(Array.from({ length: 15 }, (_, i) => `c${14 - i}`));
    expect(third.more).toBe(false);
    expect(texts(await page({ kind: 'channel', a: 'room', after: t0 + 20 }))).toEqual(['c24', 'c23', 'c22', 'c21', 'c20']);
    expect(texts(await page({ appId: otherApp, kind: 'channel', a: 'room' }))).toEqual(['other']);
    const rows = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM history_messages WHERE app_id = ${appId} AND msg_id = 'm0'`;
    expect(rows[0]!.n).toBe(1n);
  });

  it('pages both directions of a conversation and never ends a page inside one millisecond', async () => {
    const t0 = Date.now() - 5_000;
    await capture.peer(appId, 'ann', 'bob', 'p1', t0, text('hi bob'));
    await capture.peer(appId, 'bob', 'ann', 'p2', t0 + 1, text('hi ann'));
    for (let i = 0; i < 3; i++) await capture.peer(appId, 'ann', 'bob', `same${i}`, t0 + 2, text(`same${i}`));
    await capture.peer(appId, 'ann', 'cy', 'p3', t0 + 3, text('not this conversation'));
    await stored(25 + 6);
    const all = await page({ kind: 'peer', a: 'bob', b: 'ann' });
    expect(all.msgs.map((m) => m.id)).toEqual(['same2', 'same1', 'same0', 'p2', 'p1']);
    const cut = await page({ kind: 'peer', a: 'ann', b: 'bob', limit: 2 });
    expect(cut.msgs.map((m) => m.id)).toEqual(['same2', 'same1', 'same0']);
    expect(cut.more).toBe(true);
    const rest = await page({ kind: 'peer', a: 'ann', b: 'bob', limit: 2, before: cut.msgs.at(-1)!.ts });
    expect(rest.msgs.map((m) => m.id)).toEqual(['p2', 'p1']);
    const four = await page({ kind: 'peer', a: 'ann', b: 'bob', limit: 4 });
    expect(four.msgs.map((m) => m.id)).toEqual(['same2', 'same1', 'same0', 'p2']);
  });

  it('answers Agora 1.x queries and counts with its filter rules, text only when asked', async () => {
    await capture.peer(appId, 'dan', 'eve', 'q1', Date.now() - 3_000, { k: MessageKind.RAW, raw: new Uint8Array([1, 2]) });
    await capture.channel(appId, 'hall', 'dan', 'q2', Date.now() - 2_000, text('to hall'));
    await stored(25 + 6 + 2);
    expect((await query({ source: 'dan' })).msgs.map((m) => m.id)).toEqual(['q1', 'q2']);
    expect((await query({ source: 'dan', textOnly: true })).msgs.map((m) => m.id)).toEqual(['q2']);
    expect((await query({ destination: 'eve' })).msgs.map((m) => m.id)).toEqual(['q1']);
    expect((await query({ source: 'dan', destination: 'hall' })).msgs.map((m) => m.id)).toEqual(['q2']);
    expect((await query({ destination: 'room', order: 'desc', limit: 20, offset: 20 })).msgs.map((m) => m.id)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    expect(await count({ destination: 'room' })).toBe(25);
    expect(await count({ source: 'ann', destination: 'bob' })).toBe(4);
    expect(await count({ appId: otherApp, destination: 'room' })).toBe(1);
    const err = await query({ limit: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('hides what is past the app’s retention or over its size cap, and drops whole expired days', async () => {
    const capped = (await createTestApp()).appId as AppId;
    apps.push(capped);
    const now = Date.now();
    // Two hours ago and now: the cap fits only the newer hour.
    await capture.channel(capped, 'c', 'u', 'old', now - 2 * 3600_000, text('x'.repeat(400)));
    await capture.channel(capped, 'c', 'u', 'new', now - 1_000, text('y'.repeat(400)));
    await stored(2, capped);
    await prisma.$executeRaw`UPDATE apps SET history_max_bytes = 600 WHERE id = ${capped}`;
    const maintenance = replicas[0]!.get(MaintenanceService);
    await maintenance.run();
    expect((await page({ appId: capped, kind: 'channel', a: 'c' })).msgs.map((m) => m.id)).toEqual(['new']);
    await prisma.$executeRaw`UPDATE apps SET history_max_bytes = NULL, history_retention_ms = 3600000 WHERE id = ${capped}`;
    await maintenance.run();
    expect((await page({ appId: capped, kind: 'channel', a: 'c' })).msgs.map((m) => m.id)).toEqual(['new']);
    await prisma.$executeRaw`UPDATE apps SET history_retention_ms = NULL WHERE id = ${capped}`;
    expect((await page({ appId: capped, kind: 'channel', a: 'c' })).msgs.map((m) => m.id)).toEqual(['new', 'old']);

    // A day older than every retention goes whole.
    const partitions = replicas[0]!.get(PartitionsRepository);
    const longAgo = dayOf(now) - 400 * DAY_MS;
    await partitions.ensure([longAgo]);
    expect(await partitions.days()).toContain(longAgo);
    expect(await maintenance.run()).toContain(longAgo);
    expect(await partitions.days()).not.toContain(longAgo);
    expect(await partitions.days()).toContain(dayOf(now) + DAY_MS); // tomorrow's is there ahead
  });
});
