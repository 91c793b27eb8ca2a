import { ErrorCode, Op } from '@parley/contracts';
import { createTestApp, freePorts, Stack, waitFor, WireClient, type ParleyProcess, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, waitForState, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

type Metadata = Awaited<ReturnType<RtmClient['getUserMetadata']>>;
type Item = { key: string; value?: string; revision?: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const values = (md: Metadata) => Object.fromEntries(md.items.map((i) => [i.getKey(), i.getValue()]));
const revisionOf = (md: Metadata, key: string) => md.items.find((i) => i.getKey() === key)!.getRevision();

function items(client: RtmClient, ...list: Item[]) {
  return list.map(({ key, value, revision }) => {
    const item = client.createMetadataItem();
    item.setKey(key);
    if (value !== undefined) item.setValue(value);
    if (revision !== undefined) item.setRevision(revision);
    return item;
  });
}

/** The UserMetaDataUpdated events a client emits, as [uid, metadata]. */
function userUpdates(client: RtmClient): [string, Metadata][] {
  const seen: [string, Metadata][] = [];
  client.on('UserMetaDataUpdated', (uid, md) => seen.push([uid, md]));
  return seen;
}

/** A member of `ch` whose ChannelMetaDataUpdated events (on the channel object) are collected. */
async function member(client: RtmClient, ch: string) {
  const channel = client.createChannel(ch);
  const updates: Metadata[] = [];
  channel.on('ChannelMetaDataUpdated', (md) => updates.push(md));
  await channel.join();
  return { channel, updates };
}

async function rejectionOf(p: Promise<unknown>): Promise<{ name: string; code?: number; serverCode?: number }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: { name: string; code?: number; serverCode?: number }) => ({ name: err.name, code: err.code, serverCode: err.serverCode }),
  );
}

const increasing = (revisions: number[]) => revisions.every((r, i) => i === 0 || r > revisions[i - 1]!);

/**
 * User and channel metadata (agora-rtm-sdk 1.6.0) through the SDK over two gateways and two
 * attributes replicas, on the real Postgres and NATS: every op, compare-and-set, a concurrent counter
 * race, subscriptions across gateways and after a reconnect, persistence across a restart of the
 * attributes processes, app isolation, and the wire boundary.
 */
describe('metadata', () => {
  let stack: Stack;
  let app: TestApp;
  let other: TestApp;
  let gw: string[];

  beforeAll(async () => {
    // Fixed gateway ports: a restarted gateway is found again at its old URL.
    const ports = await freePorts(2);
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, attributes: 2 },
      ports: { gateway: ports },
      env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '6000', GATEWAY_TTL_MS: '2000' },
      // The counter race makes many reads and writes per client.
      appEnv: { gateway: { METADATA_WRITE_RATE: '1000/1000', METADATA_READ_RATE: '1000/1000' } },
    });
    gw = stack.gatewayUrls;
    app = await createTestApp();
    other = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('sets, adds, updates, deletes and clears user metadata that any user reads, with revisions, time and writer', async () => {
    const alice = newClient(app.appId, gw[0]!);
    const bob = newClient(app.appId, gw[1]!);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    expect(await bob.getUserMetadata('alice')).toEqual({ items: [], majorRevision: 0 });

    const before = Date.now();
    await alice.setLocalUserMetadata(items(alice, { key: 'mood', value: 'happy' }, { key: 'city', value: 'Oslo' }), {
      enableRecordTs: true,
      enableRecordUserId: true,
    });
    const first = await bob.getUserMetadata('alice');
    expect(values(first)).toEqual({ city: 'Oslo', mood: 'happy' });
    expect(first.majorRevision).toBeGreaterThan(0);
    expect(first.items.map((i) => [i.getRevision(), i.getAuthorUserId()])).toEqual([
      [first.majorRevision, 'alice'],
      [first.majorRevision, 'alice'],
    ]);
    expect(Math.abs(first.items[0]!.getUpdateTs() - before)).toBeLessThan(10_000);

    await alice.addLocalUserMetadata(items(alice, { key: 'lang', value: 'nb' }));
    await alice.updateLocalUserMetadata(items(alice, { key: 'mood', value: 'calm' }));
    const second = await bob.getUserMetadata('alice');
    expect(values(second)).toEqual({ city: 'Oslo', lang: 'nb', mood: 'calm' });
    expect(second.majorRevision).toBeGreaterThan(first.majorRevision);
    expect(revisionOf(second, 'mood')).toBe(second.majorRevision); // written last
    expect(revisionOf(second, 'city')).toBe(first.majorRevision); // untouched
    expect(second.items.find((i) => i.getKey() === 'mood')!.getAuthorUserId()).toBe(''); // not asked this time

    await alice.deleteLocalUserMetadata(items(alice, { key: 'city' }, { key: 'never-there' }));
    expect(values(await bob.getUserMetadata('alice'))).toEqual({ lang: 'nb', mood: 'calm' });
    await alice.setLocalUserMetadata(items(alice, { key: 'only', value: 'this' }));
    expect(values(await alice.getUserMetadata('alice'))).toEqual({ only: 'this' });
    await alice.clearLocalUserMetadata();
    const cleared = await bob.getUserMetadata('alice');
    expect(cleared.items).toEqual([]);
    expect(cleared.majorRevision).toBeGreaterThan(second.majorRevision);

    // Agora's lifetime: user metadata stays after the user logged out.
    await alice.setLocalUserMetadata(items(alice, { key: 'kept', value: 'after logout' }));
    await alice.logout();
    expect(values(await bob.getUserMetadata('alice'))).toEqual({ kept: 'after logout' });
  });

  it('compare-and-set: the current revision wins, an outdated one is refused and changes nothing', async () => {
    const carol = newClient(app.appId, gw[0]!);
    await carol.login({ uid: 'carol' });
    await carol.setLocalUserMetadata(items(carol, { key: 'n', value: '1' }, { key: 'm', value: 'x' }));
    const v1 = await carol.getUserMetadata('carol');
    await carol.updateLocalUserMetadata(items(carol, { key: 'n', value: '2', revision: revisionOf(v1, 'n') }));
    const v2 = await carol.getUserMetadata('carol');
    expect(values(v2)).toEqual({ m: 'x', n: '2' });

    // The same item revision again: outdated.
    expect(await rejectionOf(carol.updateLocalUserMetadata(items(carol, { key: 'n', value: 'lost', revision: revisionOf(v1, 'n') })))).toEqual({
      name: 'RtmInvalidStatusError',
      code: 8,
      serverCode: ErrorCode.OUTDATED_REVISION,
    });
    // majorRevision: only the current one.
    expect((await rejectionOf(carol.clearLocalUserMetadata({ majorRevision: v1.majorRevision }))).code).toBe(8);
    await carol.addLocalUserMetadata(items(carol, { key: 'o', value: 'y' }), { majorRevision: v2.majorRevision });
    const v3 = await carol.getUserMetadata('carol');
    // An item revision of an untouched key still matches after other keys changed; 0 = "must not exist".
    await carol.updateLocalUserMetadata(items(carol, { key: 'm', value: 'mm', revision: revisionOf(v1, 'm') }));
    await carol.addLocalUserMetadata(items(carol, { key: 'p', value: 'z', revision: 0 }));
    expect((await rejectionOf(carol.setLocalUserMetadata(items(carol, { key: 'p', value: 'again', revision: 0 })))).code).toBe(8);
    expect((await rejectionOf(carol.deleteLocalUserMetadata(items(carol, { key: 'o', revision: v2.majorRevision })))).code).toBe(8);
    await carol.deleteLocalUserMetadata(items(carol, { key: 'o', revision: v3.majorRevision }));
    expect(values(await carol.getUserMetadata('carol'))).toEqual({ m: 'mm', n: '2', p: 'z' });
  });

  it('refuses every violation with its typed error, changing nothing and keeping the connection', async () => {
    const dan = newClient(app.appId, gw[1]!);
    await dan.login({ uid: 'dan' });
    await dan.setLocalUserMetadata(items(dan, { key: 'a', value: '1' }));
    const before = await dan.getUserMetadata('dan');
    const many = (n: number, size = 1) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(size) }));
    const cases: [Promise<void>, string, number, number | undefined][] = [
      [dan.addLocalUserMetadata(items(dan, { key: 'a', value: '2' })), 'RtmInvalidArgumentError', 5, ErrorCode.DUPLICATE_KEY],
      [dan.updateLocalUserMetadata(items(dan, { key: 'missing', value: '2' })), 'RtmInvalidArgumentError', 3, ErrorCode.KEY_NOT_FOUND],
      [dan.setLocalUserMetadata(items(dan, { key: 'a', value: '1' }, { key: 'a', value: '2' })), 'RtmInvalidArgumentError', 5, undefined],
      [dan.setLocalUserMetadata(items(dan, { key: 'bad_key', value: '1' })), 'RtmInvalidArgumentError', 3, undefined],
      [dan.setLocalUserMetadata(items(dan, { key: 'a', value: 'x'.repeat(8193) })), 'RtmLimitExceededError', 4, undefined],
      [dan.setLocalUserMetadata(items(dan, ...many(33))), 'RtmLimitExceededError', 4, undefined],
      [dan.setLocalUserMetadata([], { majorRevision: -5 }), 'RtmInvalidArgumentError', 3, undefined],
    ];
    for (const [call, name, code, serverCode] of cases) {
      const err = await rejectionOf(call);
      expect({ name: err.name, code: err.code, serverCode: err.serverCode }).toEqual({ name, code, serverCode });
    }
    // 16 KB per user: two calls of 10 KB pass the SDK's per-call check; the server refuses the sum.
    await dan.addLocalUserMetadata(items(dan, { key: 'b', value: 'x'.repeat(5000) }, { key: 'c', value: 'x'.repeat(5000) }));
    const sum = await rejectionOf(dan.addLocalUserMetadata(items(dan, { key: 'd', value: 'x'.repeat(5000) }, { key: 'e', value: 'x'.repeat(5000) })));
    expect([sum.name, sum.code, sum.serverCode]).toEqual(['RtmLimitExceededError', 4, ErrorCode.SIZE_OVERFLOW]);
    const after = await dan.getUserMetadata('dan');
    expect(Object.keys(values(after))).toEqual(['a', 'b', 'c']);
    expect(revisionOf(after, 'a')).toBe(revisionOf(before, 'a'));

    // The gateway checks every client, not only the SDK: strict frames, typed codes, socket kept.
    const wire = await WireClient.login(gw[0]!, app.appId, 'wired');
    const ask = async (op: number, args: unknown) => (await wire.request(op, args))[0];
    expect(await ask(Op.SET_USER_METADATA, { items: [], majorRevison: 1 })).toBe(ErrorCode.INVALID_ARGUMENT); // unknown field
    expect(await ask(Op.SET_USER_METADATA, { items: [{ key: 'a', value: '1', rev: 2 }] })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await ask(Op.SET_USER_METADATA, { items: [{ key: 'a', revision: -2 }] })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await ask(Op.SET_USER_METADATA, { items: [{ key: 'a_b' }] })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await ask(Op.SET_USER_METADATA, { items: [{ key: 'a' }, { key: 'a' }] })).toBe(ErrorCode.DUPLICATE_KEY);
    expect(await ask(Op.SET_USER_METADATA, { items: many(33) })).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await ask(Op.ADD_USER_METADATA, { items: [{ key: 'big', value: 'x'.repeat(8193) }] })).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await ask(Op.ADD_USER_METADATA, { items: 'nope' })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await ask(Op.GET_USER_METADATA, { uid: 'dan', keys: [] })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await ask(Op.SET_CHANNEL_METADATA, { ch: 'not-joined', items: [] })).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect(await ask(Op.SUBSCRIBE_USER_METADATA, { uids: Array.from({ length: 101 }, (_, i) => `u${i}`) })).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await wire.request(Op.SET_USER_METADATA, { items: [{ key: 'ok', value: 'fine' }] })).toEqual([0, { majorRevision: expect.any(Number) }]);
    expect(wire.closed).toBeUndefined();
    wire.close();
  });

  it('channel metadata: members on both gateways get every set; non-members are refused; it outlives the last member', async () => {
    const [w, m1, m2, outsider] = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!), newClient(app.appId, gw[1]!)];
    await Promise.all([w.login({ uid: 'w' }), m1.login({ uid: 'm1' }), m2.login({ uid: 'm2' }), outsider.login({ uid: 'outsider' })]);
    const [writer, one, two] = await Promise.all([member(w, 'stage'), member(m1, 'stage'), member(m2, 'stage')]);
    const clientLevel: Metadata[] = [];
    m2.on('ChannelMetaDataUpdated', (md) => clientLevel.push(md));

    await writer.channel.setChannelMetadata(items(w, { key: 'topic', value: 'intro' }, { key: 'seats', value: '3' }), { enableRecordUserId: true });
    await writer.channel.addChannelMetadata(items(w, { key: 'host', value: 'w' }));
    await writer.channel.updateChannelMetadata(items(w, { key: 'seats', value: '2' }));
    await writer.channel.deleteChannelMetadata(items(w, { key: 'host' }));
    await waitFor(() => one.updates.length === 4 && two.updates.length === 4 && writer.updates.length === 4, { what: '4 updates everywhere' });
    for (const updates of [writer.updates, one.updates, two.updates, clientLevel]) {
      expect(updates.map(values)).toEqual([
        { seats: '3', topic: 'intro' },
        { host: 'w', seats: '3', topic: 'intro' },
        { host: 'w', seats: '2', topic: 'intro' },
        { seats: '2', topic: 'intro' },
      ]);
      expect(increasing(updates.map((u) => u.majorRevision))).toBe(true);
    }
    expect(one.updates[0]!.items[0]!.getAuthorUserId()).toBe('w');
    expect(values(await one.channel.getChannelMetadata())).toEqual({ seats: '2', topic: 'intro' });

    // RtmChannel's metadata methods work on a joined channel only.
    const notJoined = outsider.createChannel('stage');
    for (const call of [notJoined.getChannelMetadata(), notJoined.setChannelMetadata(items(outsider, { key: 'x', value: 'y' }))]) {
      expect(await rejectionOf(call)).toMatchObject({ name: 'RtmInvalidStatusError', code: 9 });
    }

    // Everyone leaves; the metadata stays (Agora: until deleted).
    await Promise.all([writer.channel.leave(), one.channel.leave(), two.channel.leave()]);
    await sleep(300);
    const back = await member(outsider, 'stage');
    expect(values(await back.channel.getChannelMetadata())).toEqual({ seats: '2', topic: 'intro' });
    await back.channel.clearChannelMetadata();
    expect(await back.channel.getChannelMetadata()).toMatchObject({ items: [] });
  });

  it('concurrent counter: CAS increments from 6 clients on two gateways end at exactly the successful writes, each seen once and in order', async () => {
    const WORKERS = 6;
    const EACH = 4;
    const workers = Array.from({ length: WORKERS }, (_, i) => newClient(app.appId, gw[i % 2]!));
    const observers = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!)];
    await Promise.all([...workers.map((c, i) => c.login({ uid: `worker${i}` })), ...observers.map((c, i) => c.login({ uid: `observer${i}` }))]);
    const watching = await Promise.all(observers.map((c) => member(c, 'counter')));
    const channels = await Promise.all(workers.map((c) => member(c, 'counter')));
    await channels[0]!.channel.setChannelMetadata(items(workers[0]!, { key: 'n', value: '0' }));
    await waitFor(() => watching.every((o) => o.updates.length === 1), { what: 'the initial set' });

    let conflicts = 0;
    const succeeded: number[] = [];
    await Promise.all(
      channels.map(async ({ channel }, w) => {
        for (let done = 0; done < EACH;) {
          const current = await channel.getChannelMetadata();
          const n = current.items[0]!;
          try {
            await channel.updateChannelMetadata(items(workers[w]!, { key: 'n', value: String(Number(n.getValue()) + 1), revision: n.getRevision() }));
            done++;
            succeeded.push(w);
          } catch (err) {
            if ((err as { code?: number }).code !== 8) throw err;
            conflicts++;
          }
        }
      }),
    );
    expect(succeeded).toHaveLength(WORKERS * EACH);
    const final = await channels[0]!.channel.getChannelMetadata();
    expect(values(final)).toEqual({ n: String(WORKERS * EACH) });
    expect(conflicts).toBeGreaterThan(0); // they did race
    await waitFor(() => watching.every((o) => o.updates.length === 1 + WORKERS * EACH), { what: 'every increment at both observers' });
    await sleep(300);
    for (const o of watching) {
      expect(o.updates.map((u) => Number(values(u)['n']))).toEqual(Array.from({ length: 1 + WORKERS * EACH }, (_, i) => i)); // once each, in order
      expect(increasing(o.updates.map((u) => u.majorRevision))).toBe(true);
      expect(o.updates.at(-1)!.majorRevision).toBe(final.majorRevision);
    }
  });

  it('subscriptions: the current set, then every change in order, on every gateway, until unsubscribed', async () => {
    const erin = newClient(app.appId, gw[0]!);
    const [far, near] = [newClient(app.appId, gw[1]!), newClient(app.appId, gw[0]!)];
    await Promise.all([erin.login({ uid: 'erin' }), far.login({ uid: 'far' }), near.login({ uid: 'near' })]);
    await erin.setLocalUserMetadata(items(erin, { key: 'status', value: 'v0' }));
    const [farSeen, nearSeen] = [userUpdates(far), userUpdates(near)];
    await Promise.all([far.subscribeUserMetadata('erin'), near.subscribeUserMetadata('erin')]);
    await waitFor(() => farSeen.length === 1 && nearSeen.length === 1, { what: 'the current sets' });
    for (let i = 1; i <= 5; i++) await erin.updateLocalUserMetadata(items(erin, { key: 'status', value: `v${i}` }));
    await waitFor(() => farSeen.length === 6 && nearSeen.length === 6, { what: '5 changes at both' });
    for (const seen of [farSeen, nearSeen]) {
      expect(seen.map(([uid, md]) => [uid, values(md)['status']])).toEqual(Array.from({ length: 6 }, (_, i) => ['erin', `v${i}`]));
      expect(increasing(seen.map(([, md]) => md.majorRevision))).toBe(true);
    }
    // A subscription to a user who never wrote: the empty set; it is told when that user writes.
    await far.subscribeUserMetadata('newbie');
    await waitFor(() => farSeen.some(([uid]) => uid === 'newbie'), { what: 'the empty set' });
    expect(farSeen.find(([uid]) => uid === 'newbie')![1]).toEqual({ items: [], majorRevision: 0 });

    await far.unsubscribeUserMetadata('erin');
    await erin.clearLocalUserMetadata();
    await waitFor(() => nearSeen.length === 7, { what: 'the clear at near' });
    await sleep(300);
    expect(farSeen.filter(([uid]) => uid === 'erin')).toHaveLength(6);
    expect(nearSeen.at(-1)![1].items).toEqual([]);
  });

  it('after a reconnect a subscriber gets the current set once, never a stale one (same gateway restarted, or another)', async () => {
    const [a, b] = [0, 1].map((i) => stack.gateways.find((g) => g.index === i)!) as [ParleyProcess, ParleyProcess];
    const fay = newClient(app.appId, b.url);
    const gil = newClient(app.appId, a.url); // only gateway A: it comes back when A does
    const states = connectionStates(gil);
    await Promise.all([fay.login({ uid: 'fay' }), gil.login({ uid: 'gil' })]);
    await fay.setLocalUserMetadata(items(fay, { key: 'k', value: '1' }));
    const seen = userUpdates(gil);
    await gil.subscribeUserMetadata('fay');
    await fay.updateLocalUserMetadata(items(fay, { key: 'k', value: '2' }));
    await waitFor(() => seen.length === 2, { what: 'the set and one change' });

    await stack.kill(a);
    await waitForState(gil, states, 'RECONNECTING');
    await fay.updateLocalUserMetadata(items(fay, { key: 'k', value: '3' }));
    await fay.updateLocalUserMetadata(items(fay, { key: 'k', value: '4' })); // both while gil is away
    await stack.spawn('gateway', a.index); // same port: gil's URL works again
    await waitFor(() => states.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 15_000, what: 'gil back' });
    await waitFor(() => seen.length === 3, { what: 'the current set after the resume' });
    await sleep(500);
    expect(seen.map(([, md]) => values(md)['k'])).toEqual(['1', '2', '4']); // 3 was missed, 4 came once
    await fay.updateLocalUserMetadata(items(fay, { key: 'k', value: '5' })); // subscribed again
    await waitFor(() => seen.length === 4, { what: 'a change after the resume' });
    expect(increasing(seen.map(([, md]) => md.majorRevision))).toBe(true);

    // Resumed on the other gateway while the writes go on: it ends at the current set, never going back.
    const a2 = stack.gateways.find((g) => g.index === a.index)!; // A again (the writer is on B)
    const hal = newClient(app.appId, [a2.url, b.url]);
    const halStates = connectionStates(hal);
    await hal.login({ uid: 'hal' });
    const halSeen = userUpdates(hal);
    await hal.subscribeUserMetadata('fay');
    const writes = (async () => {
      for (let i = 6; i <= 15; i++) {
        await fay.updateLocalUserMetadata(items(fay, { key: 'k', value: String(i) }));
        await sleep(40);
      }
    })();
    await sleep(100);
    await stack.kill(a2);
    try {
      await writes;
      await waitFor(() => halStates.at(-1)?.[0] === 'CONNECTED' && halStates.some(([st]) => st === 'RECONNECTING'), { timeoutMs: 15_000, what: 'hal back' });
      await waitFor(() => values(halSeen.at(-1)![1])['k'] === '15', { what: 'the current set at hal' });
      await sleep(300);
      const revisions = halSeen.map(([, md]) => md.majorRevision);
      expect(increasing(revisions)).toBe(true); // no stale or repeated set
      expect(new Set(revisions).size).toBe(revisions.length);
    } finally {
      await stack.spawn('gateway', a2.index);
      gw = [0, 1].map((i) => stack.gateways.find((g) => g.index === i)!.url);
    }
  });

  it('keeps user and channel metadata across a restart of every attributes process', async () => {
    const ivy = newClient(app.appId, gw[0]!);
    await ivy.login({ uid: 'ivy' });
    const { channel } = await member(ivy, 'archive');
    await ivy.setLocalUserMetadata(items(ivy, { key: 'pin', value: '1234' }));
    await channel.setChannelMetadata(items(ivy, { key: 'doc', value: 'v1' }));
    const userBefore = await ivy.getUserMetadata('ivy');
    const channelBefore = await channel.getChannelMetadata();

    const replicas = stack.processes.filter((p) => p.app === 'attributes');
    await Promise.all(replicas.map((p) => stack.kill(p)));
    await Promise.all(replicas.map((p) => stack.spawn('attributes', p.index)));

    const userAfter = await ivy.getUserMetadata('ivy');
    expect(values(userAfter)).toEqual({ pin: '1234' });
    expect(userAfter.majorRevision).toBe(userBefore.majorRevision);
    expect(await channel.getChannelMetadata()).toEqual(channelBefore);
    await channel.updateChannelMetadata(items(ivy, { key: 'doc', value: 'v2', revision: revisionOf(channelBefore, 'doc') }));
    expect((await channel.getChannelMetadata()).majorRevision).toBeGreaterThan(channelBefore.majorRevision);
  });

  it('keeps apps apart: another app sees none of it and reaches none of its users or members', async () => {
    const jo = newClient(app.appId, gw[0]!);
    const stranger = newClient(other.appId, gw[1]!);
    const twin = newClient(other.appId, gw[0]!); // same uid, other app
    await Promise.all([jo.login({ uid: 'jo' }), stranger.login({ uid: 'stranger' }), twin.login({ uid: 'jo' })]);
    const local = await member(jo, 'shared-name');
    const foreign = await member(stranger, 'shared-name');
    await jo.setLocalUserMetadata(items(jo, { key: 'secret', value: 'app A' }));
    await local.channel.setChannelMetadata(items(jo, { key: 'room', value: 'app A' }));

    expect(await stranger.getUserMetadata('jo')).toEqual({ items: [], majorRevision: 0 });
    expect(await foreign.channel.getChannelMetadata()).toEqual({ items: [], majorRevision: 0 });
    const strangerSeen = userUpdates(stranger);
    await stranger.subscribeUserMetadata('jo'); // the other app's jo (twin)
    await jo.updateLocalUserMetadata(items(jo, { key: 'secret', value: 'still app A' }));
    await foreign.channel.setChannelMetadata(items(stranger, { key: 'room', value: 'app B' }));
    await twin.setLocalUserMetadata(items(twin, { key: 'mine', value: 'app B' }));
    await waitFor(() => strangerSeen.length === 2, { what: 'the twin’s sets' });
    await sleep(300);
    expect(strangerSeen.map(([, md]) => values(md))).toEqual([{}, { mine: 'app B' }]);
    expect(local.updates.map(values)).toEqual([{ room: 'app A' }]);
    expect(foreign.updates.map(values)).toEqual([{ room: 'app B' }]);
    expect(values(await jo.getUserMetadata('jo'))).toEqual({ secret: 'still app A' });

    // A wire client naming another app's channel or user still only reaches its own app.
    const wire = await WireClient.login(gw[1]!, other.appId, 'wired-b');
    expect((await wire.request(Op.GET_USER_METADATA, { uid: 'jo' }))[1]).toEqual({
      items: [{ key: 'mine', value: 'app B', revision: expect.any(Number), updateTs: 0, authorUserId: '' }],
      majorRevision: expect.any(Number),
    });
    wire.close();
  });
});
