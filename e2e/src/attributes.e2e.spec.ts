import { ErrorCode, Op } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type ParleyProcess, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type ChannelAttrs = Record<string, { value: string; lastUpdateUserId: string; lastUpdateTs: number }>;

async function member(client: RtmClient, ch: string) {
  const channel = client.createChannel(ch);
  const updates: ChannelAttrs[] = [];
  channel.on('AttributesUpdated', (attrs) => updates.push(attrs as ChannelAttrs));
  await channel.join();
  return { channel, updates };
}

const values = (attrs: ChannelAttrs) => Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.value]));

/**
 * User and channel attributes through the SDK over two gateways and two replicas of every service
 * involved (presence, channel, attributes), on the real Postgres and NATS.
 */
describe('attributes', () => {
  let stack: Stack;
  let app: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2, attributes: 2 },
      env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '6000', GATEWAY_TTL_MS: '2000' },
    });
    gw = stack.gatewayUrls;
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('sets, merges, deletes and clears user attributes that any user of the app reads', async () => {
    const alice = newClient(app.appId, gw[0]!);
    const bob = newClient(app.appId, gw[1]!);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);

    await alice.setLocalUserAttributes({ mood: 'happy', city: 'Oslo', ключ: 'значение' });
    expect(await bob.getUserAttributes('alice')).toEqual({ mood: 'happy', city: 'Oslo', ключ: 'значение' });
    await alice.addOrUpdateLocalUserAttributes({ mood: 'calm', lang: 'nb' });
    expect(await bob.getUserAttributes('alice')).toEqual({ mood: 'calm', city: 'Oslo', ключ: 'значение', lang: 'nb' });
    expect(await bob.getUserAttributesByKeys('alice', ['mood', 'lang', 'missing'])).toEqual({ mood: 'calm', lang: 'nb' });
    await alice.deleteLocalUserAttributesByKeys(['city', 'ключ', 'missing']);
    expect(await alice.getUserAttributes('alice')).toEqual({ mood: 'calm', lang: 'nb' });
    await alice.setLocalUserAttributes({ only: 'this' });
    expect(await bob.getUserAttributes('alice')).toEqual({ only: 'this' });
    await alice.clearLocalUserAttributes();
    expect(await bob.getUserAttributes('alice')).toEqual({});
    expect(await bob.getUserAttributes('nobody-here')).toEqual({});
  });

  it('removes user attributes at logout and at a remote login, not when the user only reconnects', async () => {
    const [a, b] = stack.gateways as [ParleyProcess, ParleyProcess];
    const carol = newClient(app.appId, [a.url, b.url]);
    const states = connectionStates(carol);
    const reader = newClient(app.appId, b.url);
    await Promise.all([carol.login({ uid: 'carol' }), reader.login({ uid: 'reader' })]);
    await carol.setLocalUserAttributes({ seat: '12A' });

    await stack.kill(a); // carol's gateway dies: she reconnects to B and keeps her attributes
    await waitFor(() => states.length > 2 && states.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 15_000, what: 'carol back' });
    expect(await reader.getUserAttributes('carol')).toEqual({ seat: '12A' });
    await stack.spawn('gateway', a.index);
    gw = stack.gatewayUrls;

    await carol.logout();
    expect(await reader.getUserAttributes('carol')).toEqual({});

    const dave = newClient(app.appId, gw[0]!);
    await dave.login({ uid: 'dave' });
    await dave.setLocalUserAttributes({ device: 'phone' });
    const daveElsewhere = newClient(app.appId, gw[1]!);
    await daveElsewhere.login({ uid: 'dave' }); // a new login of the uid: the old login's attributes go
    expect(await reader.getUserAttributes('dave')).toEqual({});
  });

  it('enforces the limits and rates with typed errors, changing nothing, keeping the connection', async () => {
    const erin = newClient(app.appId, gw[0]!);
    await erin.login({ uid: 'erin' });
    await erin.setLocalUserAttributes({ keep: 'me' });
    const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    await expect(erin.setLocalUserAttributes(many(33))).rejects.toMatchObject({ name: 'RtmLimitExceededError', code: 4 });
    await expect(erin.addOrUpdateLocalUserAttributes({ big: 'x'.repeat(8193) })).rejects.toMatchObject({ code: 4 });
    await expect(erin.addOrUpdateLocalUserAttributes({ '': 'empty key' })).rejects.toMatchObject({ name: 'RtmInvalidArgumentError', code: 3 });
    await expect(erin.addOrUpdateLocalUserAttributes({ ['k'.repeat(33)]: 'long key' })).rejects.toMatchObject({ code: 3 });
    // 16 KB per user: two calls of 10 KB each pass the SDK's per-call check; the server refuses the sum.
    await erin.addOrUpdateLocalUserAttributes({ a: 'x'.repeat(5000), b: 'x'.repeat(5000) });
    await expect(erin.addOrUpdateLocalUserAttributes({ c: 'x'.repeat(5000), d: 'x'.repeat(5000) })).rejects.toMatchObject({
      name: 'RtmLimitExceededError',
      code: 4,
    });
    expect(Object.keys(await erin.getUserAttributes('erin')).sort()).toEqual(['a', 'b', 'keep']);

    // Writes: 10 per 5 s (3 were sent above).
    for (let i = 0; i < 7; i++) await erin.addOrUpdateLocalUserAttributes({ n: String(i) });
    await expect(erin.addOrUpdateLocalUserAttributes({ n: 'too often' })).rejects.toMatchObject({ name: 'RtmInvokeTooOftenError', code: 5 });
    expect((await erin.getUserAttributesByKeys('erin', ['n'])).n).toBe('6');

    // The server checks every client, not only the SDK.
    const wire = await WireClient.login(gw[1]!, app.appId, 'wired');
    expect((await wire.request(Op.SET_USER_ATTRS, { attrs: many(33) }))[0]).toBe(ErrorCode.SIZE_OVERFLOW);
    expect((await wire.request(Op.SET_USER_ATTRS, { attrs: { k: '' } }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await wire.request(Op.SET_USER_ATTRS, { attrs: 'nope' }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await wire.request(Op.ADD_CHANNEL_ATTRS, { ch: 'room', attrs: { k: 'x'.repeat(8193) } }))[0]).toBe(ErrorCode.SIZE_OVERFLOW);
    expect((await wire.request(Op.GET_CHANNEL_ATTRS, { ch: 'bad channel\u0000' }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await wire.request(Op.GET_USER_ATTRS, { uid: 'wired' })).toEqual([0, {}]);
    wire.close();
  });

  it('keeps channel attributes with writer and time, and notifies members on both gateways only when asked', async () => {
    const writer = newClient(app.appId, gw[0]!); // not a member: no join needed to write
    const [m1, m2] = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!)];
    await Promise.all([writer.login({ uid: 'writer' }), m1.login({ uid: 'm1' }), m2.login({ uid: 'm2' })]);
    const [a, b] = [await member(m1, 'lobby'), await member(m2, 'lobby')];

    const before = Date.now();
    await writer.setChannelAttributes('lobby', { topic: 'hello', rule: 'be nice' }, { enableNotificationToChannelMembers: true });
    await waitFor(() => a.updates.length === 1 && b.updates.length === 1, { what: 'AttributesUpdated on both gateways' });
    const attrs = await m2.getChannelAttributes('lobby');
    expect(b.updates[0]).toEqual(attrs);
    expect(attrs['topic']).toEqual({ value: 'hello', lastUpdateUserId: 'writer', lastUpdateTs: expect.any(Number) });
    expect(attrs['topic']!.lastUpdateTs).toBeGreaterThanOrEqual(before - 1_000);
    expect(attrs['topic']!.lastUpdateTs).toBeLessThanOrEqual(Date.now() + 1_000);

    await m1.addOrUpdateChannelAttributes('lobby', { topic: 'news' }); // no notification asked
    await sleep(300);
    expect(a.updates).toHaveLength(1);
    const updated = await writer.getChannelAttributesByKeys('lobby', ['topic', 'missing']);
    expect(Object.keys(updated)).toEqual(['topic']);
    expect(updated['topic']).toMatchObject({ value: 'news', lastUpdateUserId: 'm1' });

    await writer.deleteChannelAttributesByKeys('lobby', ['rule'], { enableNotificationToChannelMembers: true });
    await waitFor(() => b.updates.length === 2);
    expect(values(b.updates[1]!)).toEqual({ topic: 'news' });
    await writer.clearChannelAttributes('lobby', { enableNotificationToChannelMembers: true });
    await waitFor(() => a.updates.length === 3 && b.updates.length === 3);
    expect(a.updates[2]).toEqual({});
    expect(await writer.getChannelAttributes('lobby')).toEqual({});
  });

  it('enforces channel limits: 32 attributes, 32 KB, 8 KB values, and 10 writes per 5 s', async () => {
    const [fay, gil] = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!)];
    await Promise.all([fay.login({ uid: 'fay' }), gil.login({ uid: 'gil' })]);
    const many = (n: number, prefix: string, size = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v'.repeat(size)]));
    await fay.setChannelAttributes('limits', many(20, 'a'));
    await expect(gil.addOrUpdateChannelAttributes('limits', many(13, 'b'))).rejects.toMatchObject({ name: 'RtmLimitExceededError', code: 4 });
    await gil.addOrUpdateChannelAttributes('limits', many(12, 'b'));
    expect(Object.keys(await fay.getChannelAttributes('limits'))).toHaveLength(32);
    await fay.setChannelAttributes('limits', many(4, 'c', 7_000)); // 28 KB
    await expect(gil.addOrUpdateChannelAttributes('limits', many(1, 'd', 5_000))).rejects.toMatchObject({ code: 4 });
    await expect(gil.addOrUpdateChannelAttributes('limits', { big: 'v'.repeat(8193) })).rejects.toMatchObject({ code: 4 });
    expect(Object.keys(await gil.getChannelAttributes('limits')).sort()).toEqual(['c0', 'c1', 'c2', 'c3']);
    for (let i = 0; i < 8; i++) await fay.addOrUpdateChannelAttributes('limits', { c0: String(i) }); // fay's 3rd to 10th write
    await expect(fay.addOrUpdateChannelAttributes('limits', { c0: 'x' })).rejects.toMatchObject({ name: 'RtmInvokeTooOftenError', code: 5 });
    // Reads: 10 per 5 s (gil read once above).
    for (let i = 0; i < 9; i++) await gil.getChannelAttributesByKeys('limits', ['c0']);
    await expect(gil.getChannelAttributes('limits')).rejects.toMatchObject({ code: 5 });
  });

  it('serialises many concurrent writers from both gateways: no lost update, no broken limit, ordered notifications', async () => {
    const watchers = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!)];
    await Promise.all(watchers.map((c, i) => c.login({ uid: `watch${i}` })));
    const members = [await member(watchers[0]!, 'busy'), await member(watchers[1]!, 'busy')];
    const writers = Array.from({ length: 20 }, (_, i) => newClient(app.appId, gw[i % 2]!));
    await Promise.all(writers.map((c, i) => c.login({ uid: `writer${i}` })));

    // 40 writes of distinct keys at once, each notifying: 32 fit, 8 must fail with SIZE_OVERFLOW.
    const results = await Promise.allSettled(
      writers.flatMap((c, i) =>
        [0, 1].map((j) => c.addOrUpdateChannelAttributes('busy', { [`w${i}-${j}`]: `by writer${i}` }, { enableNotificationToChannelMembers: true })),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as { code: number });
    expect(ok).toBe(32);
    expect(refused.map((e) => e.code)).toEqual(Array(8).fill(4));

    const final = await watchers[0]!.getChannelAttributes('busy');
    expect(Object.keys(final)).toHaveLength(32);
    for (const [key, attr] of Object.entries(final)) {
      expect(attr.value).toBe(`by ${attr.lastUpdateUserId}`);
      expect(key).toMatch(/^w\d+-[01]$/);
    }

    for (const { updates } of members) {
      await waitFor(() => updates.length >= 32, { what: `32 notifications (got ${updates.length})` });
      await sleep(200);
      expect(updates).toHaveLength(32); // once per successful write
      // In write order: each notification holds one attribute more than the one before.
      updates.forEach((u, i) => expect(Object.keys(u)).toHaveLength(i + 1));
      for (let i = 1; i < updates.length; i++) expect(Object.keys(updates[i]!)).toEqual(expect.arrayContaining(Object.keys(updates[i - 1]!)));
      expect(updates.at(-1)).toEqual(final);
    }
  });

  it('keeps channel attributes across a restart of every process', async () => {
    const hal = newClient(app.appId, gw[0]!);
    await hal.login({ uid: 'hal' });
    await hal.setChannelAttributes('durable', { kept: 'yes' });
    const before = await hal.getChannelAttributes('durable');
    await hal.logout();

    await stack.killAll();
    await stack.spawnAll();
    gw = stack.gatewayUrls;
    const ivy = newClient(app.appId, gw[1]!);
    await ivy.login({ uid: 'ivy' });
    expect(await ivy.getChannelAttributes('durable')).toEqual(before);
  });
});
