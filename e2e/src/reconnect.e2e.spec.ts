import { createTestApp, Stack, waitFor, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

/** The SDK survives the death of its gateway: it reconnects to the other one and logs in again. */
describe('reconnect after a gateway dies', () => {
  let stack: Stack;
  let app: TestApp;

  beforeEach(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2 },
      env: FAST_TIMERS,
    });
    app = await createTestApp();
  });

  afterEach(async () => {
    await logoutAll();
    await stack?.stop();
  });

  it.each([
    ['kill -9', 'SIGKILL', ['RECONNECTING', 'INTERRUPTED']],
    ['SIGTERM (graceful drain: the SDK moves without leaving CONNECTED)', 'SIGTERM', null],
  ] as const)('moves a session to the other gateway after %s of its gateway', async (_what, signal, interruption) => {
    const [a, b] = stack.gateways as [NonNullable<(typeof stack.gateways)[0]>, NonNullable<(typeof stack.gateways)[0]>];
    const alice = newClient(app.appId, [a.url, b.url]);
    const states = connectionStates(alice);
    await alice.login({ uid: 'alice' });
    const observer = newClient(app.appId, b.url);
    await observer.login({ uid: 'observer' });

    await stack.kill(a, signal);
    if (interruption) {
      await waitFor(() => states.some(([s]) => s === 'RECONNECTING'), { what: 'RECONNECTING' });
      await waitFor(() => states.at(-1)?.[0] === 'CONNECTED', { timeoutMs: 15_000, what: `reconnected (saw ${JSON.stringify(states)})` });
      expect(states).toEqual([['CONNECTING', 'LOGIN'], ['CONNECTED', 'LOGIN_SUCCESS'], interruption, ['CONNECTED', 'LOGIN_SUCCESS']]);
    } else {
      expect(states).toEqual([
        ['CONNECTING', 'LOGIN'],
        ['CONNECTED', 'LOGIN_SUCCESS'],
      ]);
    }
    // Logged in again on gateway B: online, and still online after the old session's window ran out.
    expect(await alice.queryPeersOnlineStatus(['observer'])).toEqual({ observer: true });
    expect(await observer.queryPeersOnlineStatus(['alice'])).toEqual({ alice: true });
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await observer.queryPeersOnlineStatus(['alice'])).toEqual({ alice: true });
  });

  it('shows a user of a killed gateway offline after the window when it does not come back', async () => {
    const [a, b] = stack.gateways as [NonNullable<(typeof stack.gateways)[0]>, NonNullable<(typeof stack.gateways)[0]>];
    const gone = newClient(app.appId, a.url); // knows only gateway A: cannot come back
    await gone.login({ uid: 'gone' });
    const observer = newClient(app.appId, b.url);
    await observer.login({ uid: 'observer2' });
    await stack.kill(a);
    expect(await observer.queryPeersOnlineStatus(['gone'])).toEqual({ gone: true }); // UNREACHABLE for now
    await waitFor(async () => (await observer.queryPeersOnlineStatus(['gone'])).gone === false, {
      timeoutMs: 12_000,
      intervalMs: 700,
      what: 'offline after gateway TTL + window',
    });
  });
});
