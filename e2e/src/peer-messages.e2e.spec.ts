import { createTestApp, Stack, type TestApp, waitFor, WireClient } from '@parley/testing';
import { ErrorCode, MessageKind, Op, PeerDelivery } from '@parley/contracts';
import { AgoraRTM, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

type Received = {
  text?: string;
  rawMessage?: Uint8Array;
  description?: string;
  messageType: string;
  from: string;
  props: { serverReceivedTs: number; isOfflineMessage?: boolean };
};

function inbox(client: RtmClient): Received[] {
  const got: Received[] = [];
  client.on('MessageFromPeer', (message, from, props) => got.push({ ...(message as object), from, props } as Received));
  return got;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peer-to-peer messages through the SDK across two gateways, two presence replicas, real NATS and Postgres. */
describe('peer messages', () => {
  let stack: Stack;
  let app: TestApp;
  let gwA: string;
  let gwB: string;

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2 },
      env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '3000' },
    });
    [gwA, gwB] = stack.gatewayUrls as [string, string];
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('delivers text and raw messages across gateways and reports RECEIVED only after the peer took them', async () => {
    const alice = newClient(app.appId, gwA);
    const bob = newClient(app.appId, gwB);
    const got = inbox(bob);
    await alice.login({ uid: 'alice' });
    await bob.login({ uid: 'bob' });

    const before = Date.now();
    expect(await alice.sendMessageToPeer({ text: 'hello bob' }, 'bob')).toMatchObject({ hasPeerReceived: true });
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 256);
    expect(await alice.sendMessageToPeer({ rawMessage: bytes, description: 'blob' }, 'bob')).toMatchObject({ hasPeerReceived: true });
    const legacy = `${AgoraRTM.END_CALL_PREFIX}_room-1_`;
    await alice.sendMessageToPeer({ text: legacy }, 'bob');

    expect(got).toHaveLength(3);
    expect(got[0]).toMatchObject({ text: 'hello bob', messageType: 'TEXT', from: 'alice', props: { isOfflineMessage: false } });
    expect(got[0]!.props.serverReceivedTs).toBeGreaterThanOrEqual(before);
    expect(got[0]!.props.serverReceivedTs).toBeLessThanOrEqual(Date.now());
    expect(got[1]).toMatchObject({ messageType: 'RAW', description: 'blob', from: 'alice' });
    expect(Buffer.from(got[1]!.rawMessage!).equals(Buffer.from(bytes))).toBe(true);
    expect(got[2]).toMatchObject({ text: legacy, messageType: 'TEXT' });
  });

  it('keeps delivering when the receiver moves to another gateway or its gateway dies (the route a sender learnt is only a hint)', async () => {
    // alice's gateway learns bob's route (gateway B) from the first ACK; the next ones go to B directly.
    const alice = newClient(app.appId, gwA);
    await alice.login({ uid: 'alice-route' });
    const bob = newClient(app.appId, gwB);
    const got = inbox(bob);
    await bob.login({ uid: 'bob-route' });
    for (let i = 0; i < 3; i++) expect(await alice.sendMessageToPeer({ text: `b${i}` }, 'bob-route')).toMatchObject({ hasPeerReceived: true });
    expect(got.map((m) => m.text)).toEqual(['b0', 'b1', 'b2']);

    // bob moves to gateway A: B no longer holds him and says so; the message takes his user subject.
    await bob.logout();
    const moved = newClient(app.appId, gwA);
    const movedGot = inbox(moved);
    await moved.login({ uid: 'bob-route' });
    expect(await alice.sendMessageToPeer({ text: 'moved' }, 'bob-route')).toMatchObject({ hasPeerReceived: true });
    expect(movedGot.map((m) => m.text)).toEqual(['moved']);

    // bob on a third gateway, which then dies (kill -9) while bob logs in on B: NATS answers the
    // route's batch with no responders, and the message takes his user subject.
    await moved.logout();
    const third = await stack.spawn('gateway', 2);
    try {
      const doomed = newClient(app.appId, third.url);
      await doomed.login({ uid: 'bob-route' });
      expect(await alice.sendMessageToPeer({ text: 'on third' }, 'bob-route')).toMatchObject({ hasPeerReceived: true });
      await stack.kill(third);
      const back = newClient(app.appId, gwB);
      const backGot = inbox(back);
      await back.login({ uid: 'bob-route' });
      expect(await alice.sendMessageToPeer({ text: 'after the crash' }, 'bob-route')).toMatchObject({ hasPeerReceived: true });
      expect(backGot.map((m) => m.text)).toEqual(['after the crash']);
    } finally {
      if (stack.gateways.includes(third)) await stack.kill(third);
    }
  });

  it('reports PEER_UNREACHABLE for an offline peer without offline storage', async () => {
    const alice = newClient(app.appId, gwA);
    await alice.login({ uid: 'alice2' });
    const result = await alice.sendMessageToPeer({ text: 'anyone?' }, 'nobody-here');
    expect(result).toMatchObject({ hasPeerReceived: false, deliveryState: 'PEER_UNREACHABLE' });
  });

  it('stores messages for an offline peer (CACHED_BY_SERVER) and delivers them in order at its next login on the other gateway', async () => {
    const alice = newClient(app.appId, gwA);
    await alice.login({ uid: 'alice3' });
    const sentAt = Date.now();
    for (let i = 0; i < 5; i++) {
      const r = await alice.sendMessageToPeer({ text: `stored ${i}` }, 'carol', { enableOfflineMessaging: true });
      expect(r).toMatchObject({ hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' });
    }
    const carol = newClient(app.appId, gwB);
    const got = inbox(carol);
    await carol.login({ uid: 'carol' });
    await waitFor(() => got.length === 5, { what: `5 offline messages (got ${got.length})` });
    expect(got.map((m) => m.text)).toEqual(['stored 0', 'stored 1', 'stored 2', 'stored 3', 'stored 4']);
    for (const m of got) {
      expect(m.props.isOfflineMessage).toBe(true);
      expect(m.props.serverReceivedTs).toBeGreaterThanOrEqual(sentAt);
      expect(m.props.serverReceivedTs).toBeLessThan(Date.now());
    }
    // Delivered once: a second login finds nothing stored.
    await carol.logout();
    const again = newClient(app.appId, gwA);
    const got2 = inbox(again);
    await again.login({ uid: 'carol' });
    await sleep(500);
    expect(got2).toEqual([]);
  });

  it('keeps the newest 200 messages per receiver: the 201st drops the oldest', async () => {
    const alice = newClient(app.appId, gwA);
    await alice.login({ uid: 'alice4' });
    for (let i = 0; i < 201; i++) {
      if (i === 170) await sleep(3_100); // stay under 180 messages per 3 s
      await alice.sendMessageToPeer({ text: `m${i}` }, 'dave', { enableOfflineMessaging: true });
    }
    const dave = newClient(app.appId, gwB);
    const got = inbox(dave);
    await dave.login({ uid: 'dave' });
    await waitFor(() => got.length === 200, { timeoutMs: 15_000, what: `200 offline messages (got ${got.length})` });
    await sleep(300);
    expect(got).toHaveLength(200);
    expect(got[0]!.text).toBe('m1');
    expect(got.at(-1)!.text).toBe('m200');
  });

  it('does not deliver a resent message twice', async () => {
    const erin = newClient(app.appId, gwB);
    const got = inbox(erin);
    await erin.login({ uid: 'erin' });
    const raw = await WireClient.open(gwA);
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'frank', instanceId: 'raw-f' }))[0]).toBe(0);
    const send = { to: 'erin', id: 'frank-1', m: { k: MessageKind.TEXT, text: 'once' } };
    // Concurrent resend (joins the message in flight) and a later one (the receiver remembers it).
    const [r1, r2] = await Promise.all([raw.request(Op.SEND_PEER, send), raw.request(Op.SEND_PEER, send)]);
    const r3 = await raw.request(Op.SEND_PEER, send);
    for (const r of [r1, r2, r3]) expect(r).toEqual([0, { d: PeerDelivery.RECEIVED, ts: expect.any(Number) }]);
    await sleep(300);
    expect(got.map((m) => m.text)).toEqual(['once']);
    raw.close();
  });

  it('refuses oversize messages, bad peer ids and more than 180 messages in 3 s, and the connection stays usable', async () => {
    const gina = newClient(app.appId, gwA);
    await gina.login({ uid: 'gina' });
    await expect(gina.sendMessageToPeer({ text: 'x'.repeat(32 * 1024 + 1) }, 'bob')).rejects.toMatchObject({ code: 7 });
    await expect(gina.sendMessageToPeer({ text: 'hi' }, ' bad')).rejects.toMatchObject({ code: 6 });

    // The server checks too, whatever a client sends.
    const raw = await WireClient.open(gwB);
    expect((await raw.request(Op.LOGIN, { appId: app.appId, uid: 'hank', instanceId: 'raw-h' }))[0]).toBe(0);
    const big = { to: 'gina', id: 'big', m: { k: MessageKind.RAW, raw: new Uint8Array(32 * 1024 - 3), desc: 'four' } };
    expect((await raw.request(Op.SEND_PEER, big))[0]).toBe(ErrorCode.INVALID_MESSAGE);
    expect((await raw.request(Op.SEND_PEER, { to: 'gina', id: 'both', m: { k: MessageKind.TEXT, text: 'a', raw: new Uint8Array(1) } }))[0]).toBe(
      ErrorCode.INVALID_MESSAGE,
    );
    expect((await raw.request(Op.SEND_PEER, { to: 'a.b\n', id: 'x', m: { k: MessageKind.TEXT, text: 'a' } }))[0]).toBe(ErrorCode.INVALID_USER_ID);
    const results = await Promise.all(
      Array.from({ length: 181 }, (_, i) => raw.request(Op.SEND_PEER, { to: 'nobody', id: `r${i}`, m: { k: MessageKind.TEXT, text: 'x' } })),
    );
    expect(results.filter(([code]) => code === 0)).toHaveLength(180);
    expect(results.filter(([code]) => code === ErrorCode.TOO_OFTEN)).toHaveLength(1);
    // The 32 KB limit is inclusive and the connection still works.
    await sleep(3_100);
    const exact = { to: 'gina', id: 'exact', m: { k: MessageKind.TEXT, text: 'y'.repeat(32 * 1024) } };
    expect(await raw.request(Op.SEND_PEER, exact)).toEqual([0, { d: PeerDelivery.RECEIVED, ts: expect.any(Number) }]);
    raw.close();
  });

  it('never lets a message cross apps', async () => {
    const other = await createTestApp();
    const mallory = newClient(other.appId, gwA);
    await mallory.login({ uid: 'mallory' });
    const ivan = newClient(app.appId, gwB);
    const got = inbox(ivan);
    await ivan.login({ uid: 'ivan' });
    expect(await mallory.sendMessageToPeer({ text: 'psst' }, 'ivan', { enableOfflineMessaging: true })).toMatchObject({ hasPeerReceived: false });
    await sleep(300);
    expect(got).toEqual([]);
  });

  it('fails with TIMEOUT when the server cannot finish the send in time', async () => {
    const jack = newClient(app.appId, gwA);
    await jack.login({ uid: 'jack' });
    const presence = stack.processes.filter((p) => p.app === 'presence');
    presence.forEach((p) => stack.signal(p, 'SIGSTOP'));
    try {
      await expect(jack.sendMessageToPeer({ text: 'later' }, 'absent', { enableOfflineMessaging: true })).rejects.toMatchObject({
        name: 'RtmTimeoutError',
        code: 2,
      });
    } finally {
      presence.forEach((p) => stack.signal(p, 'SIGCONT'));
    }
  });
});

describe('offline messages survive a crash of every process', () => {
  it('delivers after kill -9 of all gateways and presence replicas between send and login', async () => {
    const stack = await Stack.start({ replicas: { gateway: 2, presence: 2 } });
    try {
      const app = await createTestApp();
      const alice = newClient(app.appId, stack.gatewayUrls[0]!);
      await alice.login({ uid: 'alice' });
      for (let i = 0; i < 3; i++) {
        expect(await alice.sendMessageToPeer({ text: `kept ${i}` }, 'zoe', { enableOfflineMessaging: true })).toMatchObject({
          deliveryState: 'CACHED_BY_SERVER',
        });
      }
      await stack.killAll();
      await logoutAll();
      await stack.spawnAll();
      const zoe = newClient(app.appId, stack.gatewayUrls[1]!);
      const got = inbox(zoe);
      await zoe.login({ uid: 'zoe' });
      await waitFor(() => got.length === 3, { what: 'the 3 stored messages' });
      expect(got.map((m) => [m.text, m.props.isOfflineMessage])).toEqual([
        ['kept 0', true],
        ['kept 1', true],
        ['kept 2', true],
      ]);
    } finally {
      await logoutAll();
      await stack.stop();
    }
  });
});
