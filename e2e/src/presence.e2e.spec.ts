import { createTestApp, Stack, type TestApp, waitFor, WireClient } from '@parley/testing';
import { ErrorCode, Op } from '@parley/contracts';
import { AgoraRTM, connectionStates, logoutAll, newClient, waitForState } from './support/clients';
import { FAST_TIMERS } from './support/timers';

/**
 * Login, online status and remote login through the SDK, across two gateways and two presence
 * replicas running as separate processes on the machine's NATS and Postgres.
 */
describe('sessions and presence across two gateways', () => {
  let stack: Stack;
  let app: TestApp;
  let gwA: string;
  let gwB: string;

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2 },
      env: FAST_TIMERS,
    });
    [gwA, gwB] = stack.gatewayUrls as [string, string];
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('shows a user logged in on gateway A as online to a user on gateway B, in input order', async () => {
    const alice = newClient(app.appId, gwA);
    const bob = newClient(app.appId, gwB);
    await alice.login({ uid: 'alice' });
    await bob.login({ uid: 'bob' });

    const status = await bob.queryPeersOnlineStatus(['nobody', 'alice', 'bob']);
    expect(status).toEqual({ nobody: false, alice: true, bob: true });
    expect(Object.keys(status)).toEqual(['nobody', 'alice', 'bob']);
  });

  it('makes a user offline at once when it logs out', async () => {
    const carol = newClient(app.appId, gwA);
    const bob = newClient(app.appId, gwB);
    await carol.login({ uid: 'carol' });
    await bob.login({ uid: 'bob2' });
    expect(await bob.queryPeersOnlineStatus(['carol'])).toEqual({ carol: true });

    await carol.logout();
    expect(await bob.queryPeersOnlineStatus(['carol'])).toEqual({ carol: false });
  });

  it('kicks the older session with ABORTED / REMOTE_LOGIN when the uid logs in on the other gateway', async () => {
    const first = newClient(app.appId, gwA);
    const states = connectionStates(first);
    await first.login({ uid: 'dave' });
    const second = newClient(app.appId, gwB);
    await second.login({ uid: 'dave' });

    await waitForState(first, states, AgoraRTM.ConnectionState.ABORTED, AgoraRTM.ConnectionChangeReason.REMOTE_LOGIN);
    expect(states.at(-1)).toEqual(['ABORTED', 'REMOTE_LOGIN']);
    const observer = newClient(app.appId, gwA);
    await observer.login({ uid: 'observer' });
    expect(await observer.queryPeersOnlineStatus(['dave'])).toEqual({ dave: true });
    // The kicked client cannot query any more; the new one can.
    await expect(first.queryPeersOnlineStatus(['dave'])).rejects.toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    expect(await second.queryPeersOnlineStatus(['observer'])).toEqual({ observer: true });
  });

  it('rate-limits online queries with TOO_OFTEN and keeps the connection usable', async () => {
    const erin = newClient(app.appId, gwB);
    await erin.login({ uid: 'erin' });
    for (let i = 0; i < 10; i++) await erin.queryPeersOnlineStatus(['alice']);
    await expect(erin.queryPeersOnlineStatus(['alice'])).rejects.toMatchObject({ name: 'RtmInvokeTooOftenError', code: 5 });
    await waitFor(async () => (await erin.queryPeersOnlineStatus(['erin'])).erin === true, { timeoutMs: 8_000, intervalMs: 1_000 });
  });

  it('answers bad input with typed errors and keeps the connection alive', async () => {
    const raw = await WireClient.open(gwA);
    raw.sendRaw(Buffer.from([0xc1, 0xff, 0x00])); // not MessagePack
    raw.sendRaw('text frame');
    expect(await raw.request(Op.QUERY_ONLINE, { uids: ['x'] })).toEqual([ErrorCode.NOT_LOGGED_IN, expect.anything()]);
    expect((await raw.request(999, {}))[0]).toBe(ErrorCode.UNSUPPORTED_OP);
    expect((await raw.request(Op.LOGIN, { appId: 'short', uid: 'u', instanceId: 'i' }))[0]).toBe(ErrorCode.INVALID_APP_ID);
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: ' lead', instanceId: 'i' }))[0]).toBe(ErrorCode.INVALID_USER_ID);
    // Logins are limited to 2 per second per connection, failed ones included.
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'frank', instanceId: 'raw-1' }))[0]).toBe(ErrorCode.TOO_OFTEN);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'frank', instanceId: 'raw-1' }))[0]).toBe(0);
    expect((await raw.request(Op.QUERY_ONLINE, { uids: [] }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await raw.request(Op.QUERY_ONLINE, { uids: Array.from({ length: 257 }, (_, i) => `u${i}`) }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await raw.request(Op.QUERY_ONLINE, 'nonsense'))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'frank', instanceId: 'raw-1' }))[0]).toBe(ErrorCode.ALREADY_LOGIN);
    expect(await raw.request(Op.QUERY_ONLINE, { uids: ['frank'] })).toEqual([0, [true]]);
    expect(raw.closed).toBeUndefined();
    raw.close();
  });

  it('notices a silent connection within seconds, keeps the user online for the reconnect window, then offline', async () => {
    const raw = await WireClient.open(gwA, { silent: true });
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'silent', instanceId: 'raw-2' }))[0]).toBe(0);
    const watcher = newClient(app.appId, gwB);
    await watcher.login({ uid: 'watcher' });
    const started = Date.now();
    // The raw client never pings: the gateway drops it after 2 × 500 ms + 1 s (checked each second).
    await waitFor(() => raw.closed, { timeoutMs: 5_000, what: 'heartbeat timeout close' });
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(await watcher.queryPeersOnlineStatus(['silent'])).toEqual({ silent: true }); // UNREACHABLE counts as online
    await waitFor(async () => (await watcher.queryPeersOnlineStatus(['silent'])).silent === false, {
      timeoutMs: 8_000,
      intervalMs: 600,
      what: 'offline after the reconnect window',
    });
  });

  it('keeps apps apart: the same uid in another app is another user', async () => {
    const other = await createTestApp();
    const inA = newClient(app.appId, gwA);
    const statesA = connectionStates(inA);
    const inB = newClient(other.appId, gwB);
    await inA.login({ uid: 'grace' });
    await inB.login({ uid: 'heidi' });
    expect(await inB.queryPeersOnlineStatus(['grace'])).toEqual({ grace: false });
    const graceInOther = newClient(other.appId, gwB);
    await graceInOther.login({ uid: 'grace' }); // no remote-login kick across apps
    expect(await inA.queryPeersOnlineStatus(['grace'])).toEqual({ grace: true });
    expect(statesA.at(-1)).toEqual(['CONNECTED', 'LOGIN_SUCCESS']);
  });
});
