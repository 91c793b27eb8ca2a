import { ErrorCode, Op } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type ParleyProcess, type TestApp } from '@parley/testing';
import { AgoraRTM, connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const ONLINE_STATUS = AgoraRTM.PeerSubscriptionOption.ONLINE_STATUS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type StatusMap = Record<string, string>;

/** Every PeersOnlineStatusChanged of a client, and each uid's states in the order they were reported. */
function watchStatus(client: RtmClient) {
  const events: StatusMap[] = [];
  const history: Record<string, string[]> = {};
  client.on('PeersOnlineStatusChanged', (status) => {
    events.push({ ...status });
    for (const [uid, state] of Object.entries(status)) (history[uid] ??= []).push(state);
  });
  const latest = (uid: string) => history[uid]?.at(-1);
  const until = (uid: string, state: string, timeoutMs = 15_000) =>
    waitFor(() => latest(uid) === state, { timeoutMs, what: `${uid} ${state} (saw ${JSON.stringify(history[uid])})` });
  return { events, history, latest, until };
}

const TIMERS = { ...FAST_TIMERS, GATEWAY_TTL_MS: '2000', RECONNECT_WINDOW_MS: '6000' };

/**
 * Online-status subscriptions through the SDK over two gateways and two presence replicas:
 * snapshot, pushed changes, UNREACHABLE, limits, the subscriber's own reconnect.
 */
describe('online-status subscriptions', () => {
  let stack: Stack;
  let app: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({ replicas: { gateway: 2, presence: 2 }, env: TIMERS });
    gw = stack.gatewayUrls;
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('reports the current state of each new uid once, then every change, across gateways', async () => {
    const alice = newClient(app.appId, gw[0]!);
    const bob = newClient(app.appId, gw[1]!);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    const seen = watchStatus(alice);

    await alice.subscribePeersOnlineStatus(['bob', 'carol']);
    expect(seen.events).toEqual([{ bob: 'ONLINE', carol: 'OFFLINE' }]);
    expect((await alice.queryPeersBySubscriptionOption(ONLINE_STATUS)).sort()).toEqual(['bob', 'carol']);

    await alice.subscribePeersOnlineStatus(['bob']); // twice: no error, nothing new to report
    const carol = newClient(app.appId, gw[1]!);
    await carol.login({ uid: 'carol' });
    await seen.until('carol', 'ONLINE');
    await carol.logout();
    await seen.until('carol', 'OFFLINE');
    expect(seen.events).toEqual([{ bob: 'ONLINE', carol: 'OFFLINE' }, { carol: 'ONLINE' }, { carol: 'OFFLINE' }]);

    await alice.unsubscribePeersOnlineStatus(['carol']);
    expect(await alice.queryPeersBySubscriptionOption(ONLINE_STATUS)).toEqual(['bob']);
    const carolAgain = newClient(app.appId, gw[0]!);
    await carolAgain.login({ uid: 'carol' });
    await bob.logout();
    await seen.until('bob', 'OFFLINE');
    expect(seen.history['carol']).toEqual(['OFFLINE', 'ONLINE', 'OFFLINE']); // nothing after the unsubscribe
  });

  it('shows a user whose connection is lost as UNREACHABLE, then OFFLINE after the reconnect window', async () => {
    const watcher = newClient(app.appId, gw[0]!);
    await watcher.login({ uid: 'watcher' });
    const seen = watchStatus(watcher);
    const dan = await WireClient.login(gw[1]!, app.appId, 'dan');
    await watcher.subscribePeersOnlineStatus(['dan']);
    expect(seen.latest('dan')).toBe('ONLINE');

    dan.close(); // no logout: the gateway keeps the session for the window
    await seen.until('dan', 'UNREACHABLE', 5_000);
    expect(await watcher.queryPeersOnlineStatus(['dan'])).toEqual({ dan: true }); // still logged in
    await seen.until('dan', 'OFFLINE', 12_000);
    expect(seen.history['dan']).toEqual(['ONLINE', 'UNREACHABLE', 'OFFLINE']);
  });

  it('keeps the subscriptions of a subscriber that reconnects, and reports what changed while it was away', async () => {
    const [a, b] = stack.gateways as [ParleyProcess, ParleyProcess];
    const fay = newClient(app.appId, b.url);
    const gus = newClient(app.appId, b.url);
    await Promise.all([fay.login({ uid: 'fay' }), gus.login({ uid: 'gus' })]);
    const hal = newClient(app.appId, [a.url, b.url]);
    const halStates = connectionStates(hal);
    await hal.login({ uid: 'hal' });
    const seen = watchStatus(hal);
    await hal.subscribePeersOnlineStatus(['fay', 'gus']);

    await stack.kill(a); // hal's gateway dies; fay logs out while hal is away
    await fay.logout();
    await waitFor(() => halStates.length > 2 && halStates.at(-1)?.[0] === 'CONNECTED' && seen.latest('fay') === 'OFFLINE', {
      timeoutMs: 15_000,
      what: `hal back with fay OFFLINE (saw ${JSON.stringify(seen.events)})`,
    });
    expect(seen.history['fay']).toEqual(['ONLINE', 'OFFLINE']);
    expect(seen.history['gus']).toEqual(['ONLINE']); // unchanged: not reported again
    expect((await hal.queryPeersBySubscriptionOption(ONLINE_STATUS)).sort()).toEqual(['fay', 'gus']);

    const fayAgain = newClient(app.appId, b.url);
    await fayAgain.login({ uid: 'fay' }); // pushed live through the new gateway
    await seen.until('fay', 'ONLINE');
    await stack.spawn('gateway', a.index);
    gw = stack.gatewayUrls;
  });

  it('ends subscriptions at logout', async () => {
    const ida = newClient(app.appId, gw[0]!);
    await ida.login({ uid: 'ida' });
    await ida.subscribePeersOnlineStatus(['jon']);
    await ida.logout();
    await sleep(600); // the SDK refuses a second login within 500 ms
    await ida.login({ uid: 'ida' });
    expect(await ida.queryPeersBySubscriptionOption(ONLINE_STATUS)).toEqual([]);
  });

  it('refuses more than 512 subscribed users with OVERFLOW, bad input with typed errors, and keeps the connection', async () => {
    const kim = newClient(app.appId, gw[0]!);
    await kim.login({ uid: 'kim' });
    const uids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `u${from + i}`);
    await kim.subscribePeersOnlineStatus(uids(0, 500));
    await expect(kim.subscribePeersOnlineStatus(uids(500, 13))).rejects.toMatchObject({ name: 'RtmLimitExceededError', code: 6 });
    await kim.subscribePeersOnlineStatus(uids(500, 12));
    await expect(kim.subscribePeersOnlineStatus(['bad uid\u0000'])).rejects.toMatchObject({ code: 2 });
    await expect(kim.queryPeersBySubscriptionOption('NOPE' as never)).rejects.toMatchObject({ name: 'RtmInvalidArgumentError' });
    expect(await kim.queryPeersBySubscriptionOption(ONLINE_STATUS)).toHaveLength(512);

    // The server enforces the same limits for any client.
    const wire = await WireClient.login(gw[1]!, app.appId, 'wired');
    expect((await wire.request(Op.SUBSCRIBE_STATUS, { uids: uids(0, 512) }))[0]).toBe(0);
    expect((await wire.request(Op.SUBSCRIBE_STATUS, { uids: ['one-more'] }))[0]).toBe(ErrorCode.OVERFLOW);
    expect((await wire.request(Op.SUBSCRIBE_STATUS, { uids: [] }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await wire.request(Op.QUERY_SUBSCRIBED, { option: 'X' }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    const [code, list] = await wire.request(Op.QUERY_SUBSCRIBED, { option: 'ONLINE_STATUS' });
    expect([code, (list as string[]).length]).toEqual([0, 512]);
    let tooOften = 0;
    for (let i = 0; i < 12; i++) if ((await wire.request(Op.UNSUBSCRIBE_STATUS, { uids: ['u1'] }))[0] === ErrorCode.TOO_OFTEN) tooOften++;
    expect(tooOften).toBe(2);
    wire.close();
  });
});

/** kill -9 of a gateway and of a presence replica: its users turn UNREACHABLE, then OFFLINE unless they come back. */
describe('online status when a gateway and a presence replica die', () => {
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    stack = await Stack.start({ replicas: { gateway: 2, presence: 2 }, env: TIMERS });
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('reports UNREACHABLE within the gateway TTL, OFFLINE after the window, ONLINE for who reconnected elsewhere', async () => {
    const [a, b] = stack.gateways as [ParleyProcess, ParleyProcess];
    const stuck = newClient(app.appId, b.url); // knows only gateway B
    const mover = newClient(app.appId, [b.url, a.url]);
    const moverStates = connectionStates(mover);
    const alice = newClient(app.appId, a.url);
    await Promise.all([stuck.login({ uid: 'stuck' }), mover.login({ uid: 'mover' }), alice.login({ uid: 'alice' })]);
    const seen = watchStatus(alice);
    await alice.subscribePeersOnlineStatus(['stuck', 'mover']);
    expect(seen.events).toEqual([{ stuck: 'ONLINE', mover: 'ONLINE' }]);

    const presence = stack.processes.find((p) => p.app === 'presence')!;
    const killedAt = Date.now();
    await Promise.all([stack.kill(b), stack.kill(presence)]);
    await seen.until('stuck', 'UNREACHABLE', 8_000);
    const unreachableAfter = Date.now() - killedAt;
    await seen.until('stuck', 'OFFLINE', 15_000);
    expect(seen.history['stuck']).toEqual(['ONLINE', 'UNREACHABLE', 'OFFLINE']);
    expect(unreachableAfter).toBeLessThan(8_000);

    await waitFor(() => moverStates.length > 2 && moverStates.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 10_000, what: 'mover reconnected to A' });
    await sleep(1_000);
    expect(seen.latest('mover')).toBe('ONLINE');
    expect(seen.history['mover']).not.toContain('OFFLINE');
    expect(await alice.queryPeersOnlineStatus(['stuck', 'mover'])).toEqual({ stuck: false, mover: true });
  });
});
