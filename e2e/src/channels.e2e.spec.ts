import { Evt, Op } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

type Got = { text?: string; from: string; props: { serverReceivedTs: number; isRecovered?: boolean; recoveryComplete?: boolean } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function joined(client: RtmClient, id: string) {
  const channel = client.createChannel(id);
  const got: Got[] = [];
  const joins: string[] = [];
  const leaves: string[] = [];
  const counts: number[] = [];
  channel.on('ChannelMessage', (message, from, props) => got.push({ text: (message as { text?: string }).text, from, props: props as Got['props'] }));
  channel.on('MemberJoined', (uid) => joins.push(uid));
  channel.on('MemberLeft', (uid) => leaves.push(uid));
  channel.on('MemberCountUpdated', (n) => counts.push(n));
  await channel.join();
  return { channel, got, joins, leaves, counts };
}

/** Channels through the SDK over two gateways and two channel replicas. */
describe('channels', () => {
  let stack: Stack;
  let app: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({ replicas: { gateway: 2, presence: 2, channel: 2 }, env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '4000' } });
    gw = stack.gatewayUrls;
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('delivers channel messages to every member on both gateways but the sender, with member events and counts', async () => {
    const [a, b, c] = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!), newClient(app.appId, gw[1]!)];
    await Promise.all([a.login({ uid: 'ann' }), b.login({ uid: 'ben' }), c.login({ uid: 'cat' })]);
    const ca = await joined(a, 'lobby');
    const cb = await joined(b, 'lobby');
    const cc = await joined(c, 'lobby');
    await waitFor(() => ca.joins.includes('ben') && ca.joins.includes('cat') && cb.joins.includes('cat'), { what: 'MemberJoined' });
    expect(ca.counts[0]).toBe(1);
    const before = Date.now();
    await ca.channel.sendMessage({ text: 'hello lobby' });
    await waitFor(() => cb.got.length === 1 && cc.got.length === 1, { what: 'fan-out' });
    expect(cb.got[0]).toMatchObject({ text: 'hello lobby', from: 'ann' });
    expect(cb.got[0]!.props.serverReceivedTs).toBeGreaterThanOrEqual(before);
    await sleep(200);
    expect(ca.got).toEqual([]); // the sender does not get its own message
    expect((await cb.channel.getMembers()).sort()).toEqual(['ann', 'ben', 'cat']);
    await waitFor(() => ca.counts.at(-1) === 3, { what: `count 3 (saw ${ca.counts})` });

    // Counted from outside, without joining.
    const d = newClient(app.appId, gw[0]!);
    await d.login({ uid: 'dan' });
    expect(await d.getChannelMemberCount(['lobby', 'empty-room'])).toEqual({ lobby: 3, 'empty-room': 0 });

    await cc.channel.leave();
    await waitFor(() => ca.leaves.includes('cat') && cb.leaves.includes('cat'), { what: 'MemberLeft' });
    await waitFor(() => ca.counts.at(-1) === 2, { what: 'count 2' });
  });

  it('sends MemberCountUpdated at most once per second, one stream for the channel', async () => {
    const watcher = newClient(app.appId, gw[0]!);
    await watcher.login({ uid: 'watch' });
    const w = await joined(watcher, 'busy');
    // A wire-level member on the other gateway sees the server's schedule: each count carries the
    // channel service's publish time (its database clock), so no client clock is measured.
    const wire = await WireClient.login(gw[1]!, app.appId, 'busy-wire');
    const published: Array<{ count: number; ts: number }> = [];
    wire.onEvent = (evt, data) => evt === Evt.MEMBER_COUNT && published.push(data as { count: number; ts: number });
    expect((await wire.request(Op.JOIN, { ch: 'busy' }))[0]).toBe(0);
    const others = Array.from({ length: 12 }, (_, i) => newClient(app.appId, gw[i % 2]!));
    for (const [i, o] of others.entries()) {
      await o.login({ uid: `busy${i}` });
      await o.createChannel('busy').join();
      await sleep(150);
    }
    await waitFor(() => w.counts.at(-1) === 14, { timeoutMs: 5_000, what: `count 14 (saw ${w.counts})` });
    await waitFor(() => published.at(-1)?.count === 14, { timeoutMs: 5_000, what: 'count 14 on the wire' });
    expect(published.length).toBeGreaterThan(1);
    for (let i = 1; i < published.length; i++) expect(published[i]!.ts - published[i - 1]!.ts).toBeGreaterThanOrEqual(1_000);
    expect(w.joins).toHaveLength(13);
    wire.close();
  });

  it('replays what a member missed during a short drop, in order, once, and its peers see no leave/join', async () => {
    const [gwA, gwB] = stack.gateways as [NonNullable<(typeof stack.gateways)[0]>, NonNullable<(typeof stack.gateways)[0]>];
    const sender = newClient(app.appId, gwB.url);
    await sender.login({ uid: 'sender' });
    const cs = await joined(sender, 'recover');
    const mover = newClient(app.appId, [gwA.url, gwB.url]);
    const states = connectionStates(mover);
    await mover.login({ uid: 'mover' });
    const cm = await joined(mover, 'recover');
    const quietSender = await joined(sender, 'quiet'); // no message before the drop in this one
    const quiet = await joined(mover, 'quiet');
    await cs.channel.sendMessage({ text: 'before' });
    await waitFor(() => cm.got.length === 1, { what: 'first message' });

    await stack.kill(gwA); // the mover's gateway dies: it reconnects to gateway B and rejoins
    for (let i = 0; i < 5; i++) await cs.channel.sendMessage({ text: `missed ${i}` });
    await quietSender.channel.sendMessage({ text: 'quiet missed' });
    await waitFor(() => states.at(-1)?.[0] === 'CONNECTED' && cm.got.length >= 6, { timeoutMs: 15_000, what: `recovery (got ${cm.got.map((g) => g.text)})` });
    await cs.channel.sendMessage({ text: 'after' });
    await waitFor(() => cm.got.length === 7, { what: 'live after rejoin' });
    await sleep(300);
    expect(cm.got.map((g) => g.text)).toEqual(['before', 'missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'after']);
    const replayed = cm.got.filter((g) => g.props.isRecovered);
    expect(replayed.length).toBeGreaterThan(0);
    for (const g of replayed) expect(g.props.recoveryComplete).toBe(true);
    expect(cs.leaves).toEqual([]);
    expect(cs.joins).toEqual(['mover']);
    await waitFor(() => quiet.got.length === 1, { what: 'the message missed in a channel that had none before' });
    expect(quiet.got[0]).toMatchObject({ text: 'quiet missed', props: { isRecovered: true } });
    await stack.spawn('gateway', gwA.index); // same index, same GATEWAY_ID: for the tests after this one
    gw = stack.gatewayUrls;
  });

  it('counts a member as left once it stays away longer than the window', async () => {
    const stay = newClient(app.appId, gw[1]!);
    await stay.login({ uid: 'stay' });
    const cs = await joined(stay, 'leavers');
    const victim = stack.gateways.find((g) => g.url === gw[0])!;
    const gone = newClient(app.appId, victim.url); // knows only this gateway: cannot come back
    await gone.login({ uid: 'gone' });
    await gone.createChannel('leavers').join();
    await waitFor(() => cs.joins.includes('gone'), { what: 'MemberJoined gone' });
    const killedAt = Date.now();
    await stack.kill(victim);
    await waitFor(() => cs.leaves.includes('gone'), { timeoutMs: 15_000, what: 'MemberLeft after the window' });
    // The window is 4 s here (30 s by default): gone well within window + a few seconds, not before 3 s.
    expect(Date.now() - killedAt).toBeGreaterThan(3_000);
    expect(Date.now() - killedAt).toBeLessThan(9_000);
    await waitFor(() => cs.counts.at(-1) === 1, { what: 'count back to 1' });
  });
});

describe('channels survive the death of a channel replica', () => {
  it('keeps joins and messages right when one channel replica is killed mid-way', async () => {
    const stack = await Stack.start({ replicas: { gateway: 2, presence: 1, channel: 2 }, env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '1500' } });
    try {
      const app = await createTestApp();
      const clients = Array.from({ length: 16 }, (_, i) => newClient(app.appId, stack.gatewayUrls[i % 2]!));
      await Promise.all(clients.map((c, i) => c.login({ uid: `m${i}` })));
      const channels = clients.map((c) => c.createChannel('sturdy'));
      const received = new Map<number, string[]>();
      channels.forEach((ch, i) => ch.on('ChannelMessage', (m) => received.set(i, [...(received.get(i) ?? []), (m as { text: string }).text])));
      const joins = channels.map((ch) => ch.join());
      await stack.kill(stack.processes.find((p) => p.app === 'channel')!); // kill -9 while joins are in flight
      await Promise.all(joins);
      await channels[0]!.sendMessage({ text: 'after the crash' });
      await waitFor(() => [...Array(15).keys()].every((i) => received.get(i + 1)?.includes('after the crash')), { what: 'every member got it' });
      const observer = newClient(app.appId, stack.gatewayUrls[0]!);
      await observer.login({ uid: 'observer' });
      expect(await observer.getChannelMemberCount(['sturdy'])).toEqual({ sturdy: 16 });
      expect((await channels[3]!.getMembers()).length).toBe(16);
      // Counts are throttled (1/s): a pending 16 may still come first; the leave must bring 15.
      const counts: number[] = [];
      channels[1]!.on('MemberCountUpdated', (n) => counts.push(n));
      await channels[2]!.leave();
      await waitFor(() => counts.at(-1) === 15, { timeoutMs: 5_000, what: `count 15 after the leave (saw ${counts})` });
    } finally {
      await logoutAll();
      await stack.stop();
    }
  });
});

describe('channels past their limits (limits lowered for the test)', () => {
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 2 },
      env: {
        ...FAST_TIMERS,
        RECONNECT_WINDOW_MS: '3000',
        RECOVERY_MAX_AGE_MS: '3000',
        MEMBER_EVENTS_MAX: '3',
        GET_MEMBERS_MAX: '3',
        COUNT_INTERVAL_LARGE_MS: '2000',
      },
    });
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('stops member events above the limit, slows counts down and returns a random subset of members', async () => {
    const first = newClient(app.appId, stack.gatewayUrls[0]!);
    await first.login({ uid: 'm0' });
    const w = await joined(first, 'big');
    const updates: Array<[at: number, count: number]> = [];
    w.channel.on('MemberCountUpdated', (count) => updates.push([Date.now(), count]));
    for (let i = 1; i < 6; i++) {
      const c = newClient(app.appId, stack.gatewayUrls[i % 2]!);
      await c.login({ uid: `m${i}` });
      await c.createChannel('big').join();
    }
    await waitFor(() => w.counts.at(-1) === 6, { timeoutMs: 8_000, what: `count 6 (saw ${w.counts})` });
    expect(w.joins).toEqual(['m1', 'm2']); // events only while the channel has at most 3 members
    const members = await w.channel.getMembers();
    expect(members).toHaveLength(3);
    expect(new Set(members).size).toBe(3);
    // Above MEMBER_EVENTS_MAX the count comes at most every COUNT_INTERVAL_LARGE_MS (2 s).
    const large = updates.filter(([, count]) => count > 3).map(([at]) => at);
    expect(large.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < large.length; i++) expect(large[i]! - large[i - 1]!).toBeGreaterThanOrEqual(1_800);
  });

  it('after a drop longer than the window the member has left: peers see it leave and join, old messages are gone', async () => {
    const [gwA, gwB] = stack.gateways as [NonNullable<(typeof stack.gateways)[0]>, NonNullable<(typeof stack.gateways)[0]>];
    const sender = newClient(app.appId, gwB.url);
    await sender.login({ uid: 'talker' });
    const cs = await joined(sender, 'long-drop');
    const away = newClient(app.appId, gwA.url); // only gateway A: it stays away while A is frozen
    await away.login({ uid: 'away' });
    const ca = await joined(away, 'long-drop');
    await cs.channel.sendMessage({ text: 'seen' });
    await waitFor(() => ca.got.length === 1, { what: 'first message' });

    stack.signal(gwA, 'SIGSTOP');
    try {
      await cs.channel.sendMessage({ text: 'expired while away' });
      await waitFor(() => cs.leaves.includes('away'), { timeoutMs: 10_000, what: 'MemberLeft after the window' });
      await sleep(1_500);
      await cs.channel.sendMessage({ text: 'recent' });
    } finally {
      stack.signal(gwA, 'SIGCONT');
    }
    await waitFor(() => ca.got.some((g) => g.text === 'recent'), { timeoutMs: 15_000, what: `rejoin (got ${ca.got.map((g) => g.text)})` });
    expect(ca.got.map((g) => g.text)).toEqual(['seen', 'recent']);
    expect(ca.got[1]!.props).toMatchObject({ isRecovered: true, recoveryComplete: false });
    await waitFor(() => cs.joins.filter((u) => u === 'away').length === 2, { what: 'MemberJoined again' });
  });
});
