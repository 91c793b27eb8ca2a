import { createTestApp, Stack, waitFor, WireClient, type TestApp } from '@parley/testing';
import { FAST_TIMERS } from './support/timers';

/**
 * The heartbeat interval depends on the gateway's ping budget (issue 14: 50k idle sessions must not
 * cost a core in pings): each client is told its interval in HELLO and is cut off for silence by that
 * interval, not by the gateway's base one.
 */
describe('heartbeat interval', () => {
  let stack: Stack;
  let app: TestApp;
  const clients: WireClient[] = [];

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 1, presence: 1 },
      // A budget of 3 pings/s: the first client at 500 ms (2/s), the second at 1 s (the 1/s left), the rest at 3 s.
      env: { ...FAST_TIMERS, HEARTBEAT_MS: '500', HEARTBEAT_PINGS_PER_S: '3', HEARTBEAT_MAX_MS: '3000' },
    });
    app = await createTestApp();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await stack?.stop();
  });

  it('tells connections past the ping budget a longer interval, and cuts a silent one off by its own interval', async () => {
    const login = async (uid: string) => {
      const c = await WireClient.login(stack.gatewayUrls[0]!, app.appId, uid, { silent: true });
      clients.push(c);
      return c;
    };
    const first = await login('hb-1');
    const second = await login('hb-2');
    const rest = [await login('hb-3'), await login('hb-4'), await login('hb-5')];
    expect(first.hello?.heartbeatMs).toBe(500);
    expect(second.hello?.heartbeatMs).toBe(1_000);
    expect(rest.map((c) => c.hello?.heartbeatMs)).toEqual([3_000, 3_000, 3_000]);

    // None of them pings. The first is cut off after 2 × 500 ms + 1 s of silence; the last ones are
    // told 3 s and live on for 2 × 3 s + 1 s.
    await waitFor(() => first.closed, { timeoutMs: 10_000, what: 'the first client cut off' });
    const last = rest[rest.length - 1]!;
    expect(last.closed).toBeUndefined();
    await waitFor(() => last.closed, { timeoutMs: 15_000, what: 'the last client cut off' });
  });
});
