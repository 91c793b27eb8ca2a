import { randomBytes } from 'node:crypto';
import { ErrorCode, ParleyError, type AppId, type ChannelMetadataEvent, type MetadataData, type UserMetadataEvent } from '@parley/contracts';
import { ChanMsgKind, MetadataSubjects, Subjects, type MetadataWriteBody } from '@parley/contracts/internal';
import { connectNatsClients, PrismaService, type NatsClients } from '@parley/platform';
import { testDatabaseUrl, waitFor } from '@parley/testing';
import type { Subscription } from 'nats';
import { readAttributesConfig } from '../src/config/attributes.config';
import { MetadataRepository } from '../src/metadata/metadata.repository';
import { MetadataService } from '../src/metadata/metadata.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/**
 * "Medium" test: metadata through the service, its SQL and its events, against the real Postgres and
 * NATS — with two service instances on two connection pools (two replicas) racing on one set.
 */
describe('MetadataService (Postgres, NATS)', () => {
  let prismaA: PrismaService;
  let prismaB: PrismaService;
  let publisher: NatsClients;
  let listener: NatsClients;
  let sut: MetadataService;
  let replica: MetadataService;
  const appId = randomBytes(16).toString('hex') as AppId;
  const otherApp = randomBytes(16).toString('hex') as AppId;
  const subs: Subscription[] = [];

  type Write = Omit<MetadataWriteBody, 'author'> & { author?: string };
  const writeUser = (uid: string, w: Write, svc = sut, app = appId) => svc.writeUser({ appId: app, uid, author: uid, ...w });
  const writeChannel = (ch: string, w: Write, svc = sut) => svc.writeChannel({ appId, ch, author: 'writer', ...w });
  const getUser = (uid: string, app = appId) => sut.getUser({ appId: app, uid });
  const getChannel = (ch: string) => sut.getChannel({ appId, ch });
  const values = (md: MetadataData) => Object.fromEntries(md.items.map((i) => [i.key, i.value]));
  const rejection = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParleyError);
    return (err as ParleyError).code;
  };

  async function listenUser(uid: string): Promise<MetadataData[]> {
    const events: MetadataData[] = [];
    subs.push(listener.bus.subscribe(MetadataSubjects.user(appId, uid), (body) => events.push((body as UserMetadataEvent).md)));
    await listener.bus.flush();
    return events;
  }

  async function listenChannel(ch: string): Promise<MetadataData[]> {
    const events: MetadataData[] = [];
    subs.push(
      listener.bus.subscribe(Subjects.channelEvents(appId, ch), (body) => {
        const [kind, event] = body as [number, ChannelMetadataEvent];
        if (kind === ChanMsgKind.METADATA) events.push(event.md);
      }),
    );
    await listener.bus.flush();
    return events;
  }

  beforeAll(async () => {
    prismaA = new PrismaService(testDatabaseUrl());
    prismaB = new PrismaService(testDatabaseUrl());
    publisher = await connectNatsClients({ servers: NATS_URL, name: 'metadata-test-publisher' });
    listener = await connectNatsClients({ servers: NATS_URL, name: 'metadata-test-listener' });
    const config = readAttributesConfig({});
    sut = new MetadataService(new MetadataRepository(prismaA), publisher.bus, config);
    replica = new MetadataService(new MetadataRepository(prismaB), publisher.bus, config);
  });

  afterAll(async () => {
    for (const sub of subs) sub.unsubscribe();
    await publisher?.close();
    await listener?.close();
    for (const app of [appId, otherApp]) {
      await prismaA.$executeRaw`DELETE FROM metadata_items WHERE app_id = ${app}`;
      await prismaA.$executeRaw`DELETE FROM metadata_sets WHERE app_id = ${app}`;
      await prismaA.$executeRaw`DELETE FROM app_events WHERE app_id = ${app}`;
    }
    await prismaA.$disconnect();
    await prismaB.$disconnect();
  });

  it('sets, adds, updates, deletes and clears a user’s metadata; revisions grow with every write', async () => {
    expect(await getUser('ann')).toEqual({ items: [], majorRevision: 0 });
    const r1 = await writeUser('ann', {
      op: 'set',
      items: [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ],
    });
    expect(r1.majorRevision).toBeGreaterThan(0);
    const md1 = await getUser('ann');
    expect(md1).toEqual({
      majorRevision: r1.majorRevision,
      items: [
        { key: 'a', value: '1', revision: r1.majorRevision, updateTs: 0, authorUserId: '' },
        { key: 'b', value: '2', revision: r1.majorRevision, updateTs: 0, authorUserId: '' },
      ],
    });
    const r2 = await writeUser('ann', { op: 'add', items: [{ key: 'c', value: '中文' }] });
    const r3 = await writeUser('ann', { op: 'update', items: [{ key: 'a', value: 'one' }] });
    expect(r3.majorRevision).toBeGreaterThan(r2.majorRevision);
    expect(r2.majorRevision).toBeGreaterThan(r1.majorRevision);
    const md3 = await getUser('ann');
    expect(values(md3)).toEqual({ a: 'one', b: '2', c: '中文' });
    expect(md3.items.map((i) => i.revision)).toEqual([r3.majorRevision, r1.majorRevision, r2.majorRevision]);
    await writeUser('ann', { op: 'delete', items: [{ key: 'b' }, { key: 'never' }] });
    expect(values(await getUser('ann'))).toEqual({ a: 'one', c: '中文' });
    await writeUser('ann', { op: 'set', items: [{ key: 'z', value: '' }] });
    expect(values(await getUser('ann'))).toEqual({ z: '' });
    const cleared = await writeUser('ann', { op: 'clear' });
    expect(await getUser('ann')).toEqual({ items: [], majorRevision: cleared.majorRevision });
  });

  it('records the time and the writer only when asked', async () => {
    const before = Date.now();
    await sut.writeUser({ appId, uid: 'bo', author: 'bo', op: 'set', items: [{ key: 'a', value: '1' }], recordTs: true, recordUserId: true });
    await sut.writeUser({ appId, uid: 'bo', author: 'bo', op: 'add', items: [{ key: 'b', value: '2' }] });
    const [a, b] = (await getUser('bo')).items;
    expect(a).toMatchObject({ key: 'a', authorUserId: 'bo' });
    expect(Math.abs(a!.updateTs - before)).toBeLessThan(5_000);
    expect(b).toMatchObject({ key: 'b', updateTs: 0, authorUserId: '' });
    await writeChannel('stamps', { op: 'set', items: [{ key: 'k', value: 'v' }], recordUserId: true });
    expect((await getChannel('stamps')).items[0]).toMatchObject({ authorUserId: 'writer', updateTs: 0 });
  });

  it('refuses with typed errors and changes nothing: not a value, not a revision', async () => {
    const r = await writeUser('cy', { op: 'set', items: [{ key: 'a', value: '1' }] });
    const before = await getUser('cy');
    expect(
      await rejection(
        writeUser('cy', {
          op: 'add',
          items: [
            { key: 'b', value: '2' },
            { key: 'a', value: 'x' },
          ],
        }),
      ),
    ).toBe(ErrorCode.DUPLICATE_KEY);
    expect(
      await rejection(
        writeUser('cy', {
          op: 'update',
          items: [
            { key: 'a', value: 'x' },
            { key: 'b', value: '2' },
          ],
        }),
      ),
    ).toBe(ErrorCode.KEY_NOT_FOUND);
    expect(await rejection(writeUser('cy', { op: 'set', items: [{ key: 'a' }, { key: 'a' }] }))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(await rejection(writeUser('cy', { op: 'update', items: [{ key: 'a', value: 'x' }], majorRevision: r.majorRevision - 1 }))).toBe(
      ErrorCode.OUTDATED_REVISION,
    );
    expect(await rejection(writeUser('cy', { op: 'update', items: [{ key: 'a', value: 'x', revision: r.majorRevision + 1 }] }))).toBe(
      ErrorCode.OUTDATED_REVISION,
    );
    expect(await rejection(writeUser('cy', { op: 'add', items: Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }))).toBe(
      ErrorCode.SIZE_OVERFLOW,
    );
    expect(await rejection(writeUser('cy', { op: 'add', items: [{ key: 'bad_key', value: 'v' }] }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(sut.writeUser({ appId: 'nope', uid: 'cy', author: 'cy', op: 'clear' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await rejection(sut.writeUser({ appId, uid: '', author: 'cy', op: 'clear' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await rejection(sut.writeChannel({ appId, ch: 'null', author: 'cy', op: 'clear' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await getUser('cy')).toEqual(before);

    // A refused first write of a set leaves it as never written.
    expect(await rejection(writeUser('dee', { op: 'update', items: [{ key: 'a', value: '1' }] }))).toBe(ErrorCode.KEY_NOT_FOUND);
    expect(await getUser('dee')).toEqual({ items: [], majorRevision: 0 });
    // CAS 0 on a set never written (or an item that does not exist): create only if absent.
    expect((await writeUser('dee', { op: 'set', items: [{ key: 'a', value: '1', revision: 0 }], majorRevision: 0 })).majorRevision).toBeGreaterThan(0);
    expect(await rejection(writeUser('dee', { op: 'set', items: [{ key: 'a', value: '2' }], majorRevision: 0 }))).toBe(ErrorCode.OUTDATED_REVISION);
  });

  it('compare-and-set succeeds while the revision matches, whichever replica writes', async () => {
    const r1 = await writeChannel('cas', { op: 'set', items: [{ key: 'n', value: '0' }] });
    const r2 = await writeChannel('cas', { op: 'update', items: [{ key: 'n', value: '1', revision: r1.majorRevision }] }, replica);
    expect(await rejection(writeChannel('cas', { op: 'update', items: [{ key: 'n', value: 'lost', revision: r1.majorRevision }] }))).toBe(
      ErrorCode.OUTDATED_REVISION,
    );
    const r3 = await writeChannel('cas', { op: 'update', items: [{ key: 'n', value: '2' }], majorRevision: r2.majorRevision });
    expect(await rejection(writeChannel('cas', { op: 'clear', majorRevision: r2.majorRevision }, replica))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(await getChannel('cas')).toMatchObject({ majorRevision: r3.majorRevision, items: [{ key: 'n', value: '2', revision: r3.majorRevision }] });
  });

  it('publishes every write’s whole set in revision order, and nothing for a refused write', async () => {
    const events = await listenUser('eve');
    const r1 = await writeUser('eve', { op: 'set', items: [{ key: 'a', value: '1' }] });
    await expect(rejection(writeUser('eve', { op: 'add', items: [{ key: 'a', value: '1' }] }))).resolves.toBe(ErrorCode.DUPLICATE_KEY);
    const r2 = await writeUser('eve', { op: 'add', items: [{ key: 'b', value: '2' }] });
    const r3 = await writeUser('eve', { op: 'clear' });
    await waitFor(() => events.length >= 3, { what: '3 events' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.map((e) => e.majorRevision)).toEqual([r1.majorRevision, r2.majorRevision, r3.majorRevision]);
    expect(events[1]).toEqual({ majorRevision: r2.majorRevision, items: [expect.objectContaining({ key: 'a' }), expect.objectContaining({ key: 'b' })] });
    expect(events[2]).toEqual({ majorRevision: r3.majorRevision, items: [] });

    const chEvents = await listenChannel('news');
    await writeChannel('news', { op: 'set', items: [{ key: 'topic', value: 'x' }] });
    await waitFor(() => chEvents.length === 1, { what: 'a channel event' });
    expect(chEvents[0]).toEqual(await getChannel('news'));
  });

  it('a read started after an event arrived is never older than it (the event leaves before the commit)', async () => {
    const seen: [number, Promise<MetadataData>][] = [];
    subs.push(
      listener.bus.subscribe(MetadataSubjects.user(appId, 'gus'), (body) => {
        const { md } = body as UserMetadataEvent;
        seen.push([md.majorRevision, sut.getUser({ appId, uid: 'gus' })]);
      }),
    );
    await listener.bus.flush();
    for (let i = 0; i < 20; i++) await writeUser('gus', { op: 'set', items: [{ key: 'n', value: String(i) }] }, i % 2 ? sut : replica);
    await waitFor(() => seen.length === 20, { what: '20 events' });
    for (const [revision, read] of seen) expect((await read).majorRevision).toBeGreaterThanOrEqual(revision);
  });

  it('CAS race: concurrent increments through two replicas end at exactly the successful writes, published once each, in order', async () => {
    const events = await listenChannel('counter');
    await writeChannel('counter', { op: 'set', items: [{ key: 'n', value: '0' }] });
    const WORKERS = 8;
    const EACH = 5;
    let conflicts = 0;
    const worker = async (w: number) => {
      const svc = w % 2 === 0 ? sut : replica;
      for (let done = 0; done < EACH;) {
        const item = (await svc.getChannel({ appId, ch: 'counter' })).items[0]!;
        try {
          await writeChannel('counter', { op: 'update', items: [{ key: 'n', value: String(Number(item.value) + 1), revision: item.revision }] }, svc);
          done++;
        } catch (err) {
          if ((err as ParleyError).code !== ErrorCode.OUTDATED_REVISION) throw err;
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const final = await getChannel('counter');
    expect(final.items[0]!.value).toBe(String(WORKERS * EACH));
    expect(conflicts).toBeGreaterThan(0); // it was a race
    await waitFor(() => events.length >= 1 + WORKERS * EACH, { what: 'every event' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toHaveLength(1 + WORKERS * EACH);
    expect(events.map((e) => Number(e.items[0]!.value))).toEqual(Array.from({ length: 1 + WORKERS * EACH }, (_, i) => i));
    const revisions = events.map((e) => e.majorRevision);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]!);
    expect(events.at(-1)).toEqual(final);
  });

  it('records every committed write in the event record, in revision order, and nothing for a refused one', async () => {
    const r1 = await writeUser(
      'hal',
      {
        op: 'set',
        items: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      },
      replica,
    );
    const r2 = await writeUser('hal', { op: 'update', items: [{ key: 'a', value: 'one' }], recordUserId: true });
    expect(await rejection(writeUser('hal', { op: 'add', items: [{ key: 'a', value: 'again' }] }))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(await rejection(writeUser('hal', { op: 'clear', majorRevision: r1.majorRevision }))).toBe(ErrorCode.OUTDATED_REVISION);
    const r3 = await writeUser('hal', { op: 'delete', items: [{ key: 'b' }] });
    const r4 = await writeChannel('deck', { op: 'set', items: [{ key: 'owner', value: 'hal' }] });
    const rows = await prismaA.$queryRaw<{ kind: string; type: string; uid: string; channel_id: string | null; detail: unknown }[]>`
      SELECT kind, type, uid, channel_id, detail FROM app_events WHERE app_id = ${appId} AND kind = 'metadata' AND (uid = 'hal' OR channel_id = 'deck') ORDER BY seq`;
    expect(rows).toEqual([
      {
        kind: 'metadata',
        type: 'User',
        uid: 'hal',
        channel_id: null,
        detail: {
          op: 'set',
          majorRevision: r1.majorRevision,
          author: 'hal',
          items: [
            { key: 'a', value: '1', revision: r1.majorRevision, updateTs: 0, authorUserId: '' },
            { key: 'b', value: '2', revision: r1.majorRevision, updateTs: 0, authorUserId: '' },
          ],
          deleted: [],
        },
      },
      {
        kind: 'metadata',
        type: 'User',
        uid: 'hal',
        channel_id: null,
        detail: {
          op: 'update',
          majorRevision: r2.majorRevision,
          author: 'hal',
          items: [{ key: 'a', value: 'one', revision: r2.majorRevision, updateTs: 0, authorUserId: 'hal' }],
          deleted: [],
        },
      },
      {
        kind: 'metadata',
        type: 'User',
        uid: 'hal',
        channel_id: null,
        detail: { op: 'delete', majorRevision: r3.majorRevision, author: 'hal', items: [], deleted: ['b'] },
      },
      {
        kind: 'metadata',
        type: 'Channel',
        uid: 'writer',
        channel_id: 'deck',
        detail: {
          op: 'set',
          majorRevision: r4.majorRevision,
          author: 'writer',
          items: [{ key: 'owner', value: 'hal', revision: r4.majorRevision, updateTs: 0, authorUserId: '' }],
          deleted: [],
        },
      },
    ]);
  });

  it('keeps sets in Postgres (a new service instance reads them) and apart per app', async () => {
    await writeUser('fay', { op: 'set', items: [{ key: 'k', value: 'v' }] });
    const fresh = new PrismaService(testDatabaseUrl());
    try {
      const again = new MetadataService(new MetadataRepository(fresh), publisher.bus, readAttributesConfig({}));
      expect(values(await again.getUser({ appId, uid: 'fay' }))).toEqual({ k: 'v' });
    } finally {
      await fresh.$disconnect();
    }
    expect(await getUser('fay', otherApp)).toEqual({ items: [], majorRevision: 0 });
    await writeUser('fay', { op: 'set', items: [{ key: 'other', value: 'app' }] }, sut, otherApp);
    expect(values(await getUser('fay'))).toEqual({ k: 'v' });
    expect(await getChannel('fay')).toEqual({ items: [], majorRevision: 0 }); // a channel of the same name is another set
  });
});
