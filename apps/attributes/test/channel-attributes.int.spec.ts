import { randomBytes } from 'node:crypto';
import { ErrorCode, ParleyError, type AppId, type ChannelAttrsEvent } from '@parley/contracts';
import { ChanMsgKind, Subjects, type ChannelAttrsWriteRequest } from '@parley/contracts/internal';
import { connectNatsClients, PrismaService, type NatsClients } from '@parley/platform';
import { testDatabaseUrl, waitFor } from '@parley/testing';
import type { Subscription } from 'nats';
import { ChannelAttributesRepository } from '../src/channel/channel-attributes.repository';
import { ChannelAttributesService } from '../src/channel/channel-attributes.service';
import { readAttributesConfig } from '../src/config/attributes.config';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** "Medium" test: channel attributes through the service, its SQL and its notifications, against the real Postgres and NATS. */
describe('ChannelAttributesService (Postgres, NATS)', () => {
  let prisma: PrismaService;
  let publisher: NatsClients;
  let listener: NatsClients;
  let sut: ChannelAttributesService;
  const appId = randomBytes(16).toString('hex') as AppId;
  const subs: Subscription[] = [];

  const write = (ch: string, uid: string, op: Omit<ChannelAttrsWriteRequest, 'appId' | 'ch' | 'uid'>) => sut.write({ appId, ch, uid, ...op });
  const get = (ch: string, keys?: string[]) => sut.get({ appId, ch, keys });
  const values = async (ch: string) => Object.fromEntries(Object.entries(await get(ch)).map(([k, v]) => [k, v.value]));
  const version = async (ch: string) =>
    Number(
      (await prisma.$queryRaw<{ version: bigint }[]>`SELECT version FROM channel_attribute_sets WHERE app_id = ${appId} AND channel_id = ${ch}`)[0]?.version ??
        0,
    );
  const rejection = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParleyError);
    return (err as ParleyError).code;
  };
  const many = (n: number, value = (i: number) => `v${i}`) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]));

  /** Collects the AttributesUpdated events of a channel in arrival order (any other message is kept as null and fails the test). */
  async function listen(ch: string): Promise<ChannelAttrsEvent[]> {
    const events: ChannelAttrsEvent[] = [];
    const sub = listener.bus.subscribe(Subjects.channelEvents(appId, ch), (body) => {
      const [kind, event] = body as [number, ChannelAttrsEvent];
      events.push(kind === ChanMsgKind.ATTRIBUTES ? event : (null as unknown as ChannelAttrsEvent));
    });
    subs.push(sub);
    await listener.bus.flush();
    return events;
  }

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl());
    publisher = await connectNatsClients({ servers: NATS_URL, name: 'attributes-test-publisher' });
    listener = await connectNatsClients({ servers: NATS_URL, name: 'attributes-test-listener' });
    sut = new ChannelAttributesService(new ChannelAttributesRepository(prisma), publisher.bus, readAttributesConfig({}));
  });

  afterAll(async () => {
    for (const sub of subs) sub.unsubscribe();
    await publisher?.close();
    await listener?.close();
    await prisma.$executeRaw`DELETE FROM channel_attributes WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM channel_attribute_sets WHERE app_id = ${appId}`;
    await prisma.$disconnect();
  });

  it('sets, adds, deletes, clears and reads all or some keys of any channel', async () => {
    expect(await get('room')).toEqual({});
    expect(await write('room', 'alice', { op: 'set', attrs: { a: '1', b: '2' } })).toBeNull();
    expect(await values('room')).toEqual({ a: '1', b: '2' });
    await write('room', 'alice', { op: 'add', attrs: { b: '20', c: '中文' } });
    expect(await values('room')).toEqual({ a: '1', b: '20', c: '中文' });
    expect(Object.keys(await get('room', ['a', 'c', 'missing']))).toEqual(['a', 'c']);
    await write('room', 'alice', { op: 'delete', keys: ['a', 'never'] });
    expect(await values('room')).toEqual({ b: '20', c: '中文' });
    await write('room', 'alice', { op: 'set', attrs: { d: '4' } }); // replaces: b and c go
    expect(await values('room')).toEqual({ d: '4' });
    await write('room', 'alice', { op: 'clear' });
    expect(await get('room')).toEqual({});
    await write('room', 'alice', { op: 'add', attrs: { e: '5' } });
    await write('room', 'alice', { op: 'set', attrs: {} });
    expect(await get('room')).toEqual({});
  });

  it('records who wrote each key and when (database clock, one time per call)', async () => {
    const before = Date.now();
    await write('stamps', 'alice', { op: 'set', attrs: { a: '1', b: '2' } });
    const first = await get('stamps');
    expect(first['a']).toEqual({ value: '1', lastUpdateUserId: 'alice', lastUpdateTs: first['b']!.lastUpdateTs });
    expect(first['b']!.lastUpdateUserId).toBe('alice');
    expect(typeof first['a']!.lastUpdateTs).toBe('number');
    expect(Math.abs(first['a']!.lastUpdateTs - before)).toBeLessThan(5_000);

    await new Promise((r) => setTimeout(r, 5));
    await write('stamps', 'bob', { op: 'add', attrs: { b: 'two', c: '3' } });
    const second = await get('stamps');
    expect(second['a']).toEqual(first['a']); // untouched
    expect(second['b']).toMatchObject({ value: 'two', lastUpdateUserId: 'bob' });
    expect(second['c']).toEqual({ value: '3', lastUpdateUserId: 'bob', lastUpdateTs: second['b']!.lastUpdateTs });
    expect(second['b']!.lastUpdateTs).toBeGreaterThan(first['b']!.lastUpdateTs);

    await write('stamps', 'carol', { op: 'set', attrs: { c: '3' } }); // same value, still written by carol
    expect(await get('stamps')).toEqual({ c: { value: '3', lastUpdateUserId: 'carol', lastUpdateTs: expect.any(Number) } });
  });

  it('rejects a write over the limits with SIZE_OVERFLOW and changes nothing, not even the version', async () => {
    await write('full', 'u', { op: 'set', attrs: many(32) });
    const v = await version('full');
    expect(await rejection(write('full', 'u', { op: 'add', attrs: { extra: 'x' } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(write('full', 'u', { op: 'set', attrs: many(33) }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await values('full')).toEqual(many(32));
    expect(await version('full')).toBe(v);

    // 4 × (2-byte key + 8000) = 32008 bytes
    const big = Object.fromEntries(['k0', 'k1', 'k2', 'k3'].map((k) => [k, 'x'.repeat(8000)]));
    await write('big', 'u', { op: 'set', attrs: big });
    const bigV = await version('big');
    expect(await rejection(write('big', 'u', { op: 'add', attrs: { k4: 'y'.repeat(759) } }))).toBe(ErrorCode.SIZE_OVERFLOW); // 32769
    expect(await rejection(write('big', 'u', { op: 'add', attrs: { k4: 'y'.repeat(8193) } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(write('big', 'u', { op: 'add', attrs: { 'k 4': 'y' } }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await values('big')).toEqual(big);
    expect(await version('big')).toBe(bigV);
    await write('big', 'u', { op: 'add', attrs: { k4: 'y'.repeat(758) } }); // 32768: exactly the limit
    expect(Object.keys(await get('big'))).toHaveLength(5);

    // a channel is limited to 32 KB, a user to 16 KB: a 20 KB call is fine here
    await write('wide', 'u', { op: 'set', attrs: { a: 'x'.repeat(8000), b: 'x'.repeat(8000), c: 'x'.repeat(4000) } });
    expect(Object.keys(await get('wide'))).toHaveLength(3);
  });

  it('checks ids and arguments', async () => {
    expect(await rejection(sut.write({ appId: 'nope', ch: 'c', uid: 'u', op: 'clear' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await rejection(sut.write({ appId, ch: '', uid: 'u', op: 'clear' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(sut.write({ appId, ch: 'c', uid: '', op: 'clear' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await rejection(sut.write({ appId, ch: 'c', uid: 'u', op: 'add', attrs: {} }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(sut.get({ appId, ch: 'c', keys: Array.from({ length: 33 }, (_, i) => `k${i}`) }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('bumps the version on every write and notifies members with the full set only when asked', async () => {
    const events = await listen('news');
    await write('news', 'alice', { op: 'set', attrs: { a: '1' }, notify: true });
    const v1 = await version('news');
    await write('news', 'alice', { op: 'add', attrs: { b: '2' } }); // silent
    await write('news', 'bob', { op: 'delete', keys: ['a'], notify: true });
    await write('news', 'bob', { op: 'clear', notify: true });
    const v4 = await version('news');
    expect(v4).toBe(v1 + 3);
    await waitFor(() => events.length >= 3, { what: '3 notifications' });
    expect(events.map((e) => e.v)).toEqual([v1, v1 + 2, v1 + 3]);
    expect(events[0]).toEqual({ ch: 'news', v: v1, attrs: { a: { value: '1', lastUpdateUserId: 'alice', lastUpdateTs: expect.any(Number) } } });
    expect(events[1]!.attrs).toEqual({ b: { value: '2', lastUpdateUserId: 'alice', lastUpdateTs: expect.any(Number) } });
    expect(events[2]!.attrs).toEqual({});
    await expect(rejection(write('news', 'bob', { op: 'add', attrs: many(33), notify: true }))).resolves.toBe(ErrorCode.SIZE_OVERFLOW);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toHaveLength(3); // a failed write tells no one
  });

  it('serialises concurrent writers of one channel: 32 of 40 adds succeed and members see them in write order', async () => {
    const events = await listen('crowd');
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => write('crowd', `user${i}`, { op: 'add', attrs: { [`key${i}`]: `value${i}` }, notify: true })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(32);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.map((r) => (r.reason as ParleyError).code)).toEqual(Array(8).fill(ErrorCode.SIZE_OVERFLOW));

    const final = await get('crowd');
    expect(Object.keys(final)).toHaveLength(32);
    await waitFor(() => events.length >= 32, { what: '32 notifications' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toHaveLength(32);
    const versions = events.map((e) => e.v);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
    // each successful write added one key: the n-th notification carries n attributes
    expect(events.map((e) => Object.keys(e.attrs).length)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(events.at(-1)).toEqual({ ch: 'crowd', v: await version('crowd'), attrs: final });
  });
});
