import { Evt, Frame, type PeerMessageEvent } from '@parley/contracts';
import { createTestApp, NatsServer, Stack, TcpProxy, waitFor, WireClient, type TestApp } from '@parley/testing';
import { Client } from 'pg';
import { connectionStates, logoutAll, newClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Defect 6 of issue 12: CACHED_BY_SERVER is a promise, also when the receiver is logged in. A message
 * is stored when the sender's gateway got no ACK for it (no gateway held the receiver at that
 * instant, or the receiver's gateway answered "not acknowledged", or did not answer in time) — but the
 * receiver may be logged in by the time the row is committed: it resumed elsewhere while the store
 * was in flight (after a kill -9 of its gateway), or it never left and only its gateway was cut off
 * from NATS for a moment (a NATS restart). Stored rows used to be pushed only by the flush that runs
 * at login, so such a message waited for a later login, and if it had been pushed live after all,
 * the stored copy came a second time after that login.
 *
 * Private nats-server (libs/testing NatsServer); gateway 1 reaches it through a TcpProxy the test cuts.
 */
describe('stored messages reach a receiver that is logged in', () => {
  let nats: NatsServer;
  let proxy: TcpProxy;
  let stack: Stack;
  let app: TestApp;

  /** Gateway 0 and gateway 1 (behind the proxy), by replica index. */
  const urls = () => [0, 1].map((i) => stack.gateways.find((g) => g.index === i)!.url) as [string, string];
  const stored = async (uid: string): Promise<number> => {
    const db = new Client({ connectionString: process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM offline_messages WHERE app_id = $1 AND uid = $2', [app.appId, uid]);
      return rows[0]!.n;
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    nats = await NatsServer.start({ jetstream: true }); // Stack.stop() removes its JetStream stream
    proxy = await TcpProxy.start(nats.url);
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1 },
      env: { ...FAST_TIMERS, ACK_TIMEOUT_MS: '1000', PEER_DELIVERY_TIMEOUT_MS: '3000' },
      natsUrl: nats.url,
      replicaEnv: (app, index) => (app === 'gateway' && index === 1 ? { NATS_URL: proxy.url() } : undefined),
    });
    app = await createTestApp();
  }, 60_000);

  afterEach(() => logoutAll());
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
    await nats?.stop();
  });

  it('pushes a message stored after its live push went unacknowledged to the same session, and empties the store', async () => {
    const [gw0, gw1] = urls();
    const bob = await WireClient.login(gw1, app.appId, 'bob');
    bob.ack = false; // takes the live push but does not confirm it in time (a slow client, an ACK lost with its gateway)
    const alice = newClient(app.appId, gw0);
    await alice.login({ uid: 'alice' });

    const result = await alice.sendMessageToPeer({ text: 'unconfirmed' }, 'bob', { enableOfflineMessaging: true });
    expect(result.deliveryState).toBe('CACHED_BY_SERVER');
    bob.ack = true;

    const pushes = () => bob.frames.filter((f) => f[0] === Frame.EVT && f[1] === Evt.PEER_MESSAGE).map((f) => f[2] as PeerMessageEvent & { off?: boolean });
    expect(pushes().map((p) => [p.m.text, !!p.off])).toEqual([['unconfirmed', false]]);
    // Still logged in on the same socket: the stored copy follows (the SDK drops it as a duplicate, ACKs it), and the row goes.
    await waitFor(async () => pushes().length === 2 && (await stored('bob')) === 0, {
      timeoutMs: 8_000,
      intervalMs: 200,
      what: `the stored copy pushed and removed (pushes ${JSON.stringify(pushes())}, stored ${await stored('bob')})`,
    });
    expect(pushes().map((p) => [p.m.text, !!p.off])).toEqual([
      ['unconfirmed', false],
      ['unconfirmed', true],
    ]);
    expect(pushes()[1]!.id).toBe(pushes()[0]!.id);
    bob.close();
  });

  it('delivers a message stored while the receiver’s gateway was cut off from NATS, without a new login, exactly once', async () => {
    const [gw0, gw1] = urls();
    const carol = newClient(app.appId, gw1);
    const states = connectionStates(carol);
    const got: Array<[string, boolean]> = [];
    carol.on('MessageFromPeer', (m, _from, props) => got.push([(m as { text: string }).text, !!props.isOfflineMessage]));
    await carol.login({ uid: 'carol' });
    const dave = newClient(app.appId, gw0);
    await dave.login({ uid: 'dave' });
    expect(await dave.sendMessageToPeer({ text: 'before' }, 'carol', { enableOfflineMessaging: true })).toMatchObject({ deliveryState: 'RECEIVED' });

    proxy.cut(); // gateway 1 loses NATS (as in a NATS restart); carol's WebSocket stays up
    await sleep(300);
    expect(await dave.sendMessageToPeer({ text: 'while cut' }, 'carol', { enableOfflineMessaging: true })).toMatchObject({
      deliveryState: 'CACHED_BY_SERVER',
    });
    proxy.restore();

    await waitFor(() => got.some(([text]) => text === 'while cut'), { timeoutMs: 10_000, what: `'while cut' delivered (got ${JSON.stringify(got)})` });
    await waitFor(async () => (await stored('carol')) === 0, { timeoutMs: 5_000, what: 'the store emptied' });
    await sleep(500);
    expect(got).toEqual([
      ['before', false],
      ['while cut', true],
    ]);
    expect(states).toEqual([
      ['CONNECTING', 'LOGIN'],
      ['CONNECTED', 'LOGIN_SUCCESS'],
    ]); // never logged in again
    // A later login finds nothing more.
    await carol.logout();
    await carol.login({ uid: 'carol' });
    await sleep(800);
    expect(got.filter(([text]) => text === 'while cut')).toHaveLength(1);
  });
});
