import { recoveryStreamName } from '@parley/contracts/internal';
import type { RecoveryIncompleteInfo } from '@parley/sdk';
import { createTestApp, freePorts, NatsServer, Stack, TcpProxy, waitFor, type TestApp } from '@parley/testing';
import { connect, type NatsConnection } from 'nats';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

type Got = { text: string; ts: number; isRecovered?: boolean; recoveryComplete?: boolean };

/** A joined channel of `client` and everything it emitted. */
async function joined(client: RtmClient, id: string) {
  const channel = client.createChannel(id);
  const got: Got[] = [];
  const notices: RecoveryIncompleteInfo[] = [];
  channel.on('ChannelMessage', (message, _from, props) =>
    got.push({
      text: (message as { text: string }).text,
      ts: props.serverReceivedTs,
      isRecovered: props.isRecovered,
      recoveryComplete: props.recoveryComplete,
    }),
  );
  channel.on('RecoveryIncomplete', (info) => notices.push(info));
  await channel.join();
  const texts = () => got.map((g) => g.text);
  const received = (text: string) => got.find((g) => g.text === text);
  return { channel, got, notices, texts, received };
}

const texts = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

/**
 * Channel recovery when NATS fails: a gateway cut off from NATS for a while, and a NATS restart that
 * loses the memory recovery stream. Each test runs on a private nats-server (never the machine's);
 * gateway 0 reaches it through a TCP proxy the test can cut.
 */
describe('channel recovery across NATS faults', () => {
  let nats: NatsServer;
  let proxy: TcpProxy;
  let stack: Stack;
  let app: TestApp;
  let probe: NatsConnection;
  let url: [string, string];

  beforeAll(async () => {
    nats = await NatsServer.start({ jetstream: true });
    proxy = await TcpProxy.start(nats.url);
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2 },
      natsUrl: nats.url,
      replicaEnv: (appName, index) => (appName === 'gateway' && index === 0 ? { NATS_URL: proxy.url() } : undefined),
      env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '15000', RECOVERY_STREAM_CHECK_MS: '500' },
      ports: { gateway: await freePorts(2) },
    });
    const gateway = (index: number) => stack.gateways.find((g) => g.index === index)!.url;
    url = [gateway(0), gateway(1)];
    app = await createTestApp();
    probe = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });

  afterEach(() => logoutAll());
  afterAll(async () => {
    await probe?.close();
    await stack?.stop();
    await proxy?.stop();
    await nats?.stop();
  });

  async function streamCreatedAt(): Promise<number | null> {
    const jsm = await probe.jetstreamManager();
    return jsm.streams.info(recoveryStreamName(stack.prefix)).then(
      (info) => Date.parse(info.created),
      () => null,
    );
  }

  async function clients(channelId: string) {
    const sender = newClient(app.appId, url[1]);
    const cut = newClient(app.appId, url[0]); // on gateway 0, behind the proxy
    await Promise.all([sender.login({ uid: `sender-${channelId}` }), cut.login({ uid: `cut-${channelId}` })]);
    return { sender: await joined(sender, channelId), cut: await joined(cut, channelId) };
  }

  it('recovers, from the stream, the channel messages published while a gateway was cut off from NATS', async () => {
    const { sender, cut } = await clients('cut-off');
    await sender.channel.sendMessage({ text: 'before' });
    await waitFor(() => cut.received('before'), { what: 'the live message' });

    // The gateway vouches for a gap only when the stream existed before it began (allowing for clock
    // skew, CLOCK_SLACK_MS = 2 s): a cut right after the stack started would be reported incomplete.
    await waitFor(async () => Date.now() - ((await streamCreatedAt()) ?? Date.now()) > 2_500, {
      timeoutMs: 10_000,
      what: 'a recovery stream older than the clock slack',
    });
    proxy.cut(); // gateway 0 loses NATS; its clients keep their WebSockets
    for (const text of texts('gap', 20)) await sender.channel.sendMessage({ text });
    proxy.restore();

    await waitFor(() => cut.got.length === 21, { timeoutMs: 15_000, what: `recovery after the cut (got ${cut.texts()})` });
    expect(cut.texts()).toEqual(['before', ...texts('gap', 20)]);
    for (const g of cut.got.slice(1)) expect(g).toMatchObject({ isRecovered: true, recoveryComplete: true });
    expect(cut.notices).toEqual([]);

    await sender.channel.sendMessage({ text: 'after' });
    await waitFor(() => cut.received('after'), { what: 'live again' });
    expect(cut.received('after')!.isRecovered).toBeUndefined();
  });

  it('says recovery is incomplete when more was published during the cut than the stream keeps per channel', async () => {
    const { sender, cut } = await clients('overflow');
    proxy.cut();
    for (const text of texts('burst', 40)) await sender.channel.sendMessage({ text });
    proxy.restore();

    await waitFor(() => cut.notices.length === 1 && cut.got.length === 32, {
      timeoutMs: 15_000,
      what: `the last 32 and a notice (got ${cut.got.length}, ${cut.notices.length})`,
    });
    expect(cut.texts()).toEqual(texts('burst', 40).slice(8));
    for (const g of cut.got) expect(g).toMatchObject({ isRecovered: true, recoveryComplete: false });
    expect(cut.notices[0]!.sinceTs).toBeLessThan(cut.got[0]!.ts); // messages may be missing from before the first one it got
  });

  it('tells the members on every gateway that messages may be missing after a NATS restart', async () => {
    const { sender, cut } = await clients('told');
    await sender.channel.sendMessage({ text: 'm1' });
    await waitFor(() => cut.received('m1'), { what: 'm1 live' });

    await nats.restart(); // every process reconnects; the memory stream is gone
    // Nothing was sent meanwhile, but nothing can tell: members on both gateways hear it.
    await waitFor(() => sender.notices.length === 1 && cut.notices.length === 1, {
      timeoutMs: 15_000,
      what: `CHANNEL_GAP on both gateways (${sender.notices.length}, ${cut.notices.length})`,
    });
    expect(cut.notices[0]!.sinceTs).toBeGreaterThan(cut.received('m1')!.ts - 5_000);
    await sender.channel.sendMessage({ text: 'm2' });
    await waitFor(() => cut.received('m2'), { what: 'm2 live' });
  });

  it('recreates the stream after a NATS restart, and reports rejoins that reach back before it as incomplete', async () => {
    const { sender } = await clients('rejoin');
    const away = newClient(app.appId, url[0]); // can only come back to gateway 0
    await away.login({ uid: 'away' });
    const awayCh = await joined(away, 'rejoin');
    await sender.channel.sendMessage({ text: 'm1' });
    await waitFor(() => awayCh.received('m1'), { what: 'm1 live' });
    const before = await streamCreatedAt();

    await nats.restart();
    const created = await waitFor(
      async () => {
        const at = await streamCreatedAt();
        return at !== null && at > before! && at;
      },
      { timeoutMs: 15_000, what: 'the recovery stream created again' },
    );

    // A rejoin whose `since` (m1) is older than the new stream: what the stream has is replayed,
    // flagged incomplete, and the channel says so.
    await stack.kill(stack.gateways.find((g) => g.index === 0)!);
    await sender.channel.sendMessage({ text: 'm2' });
    await stack.spawn('gateway', 0);
    await waitFor(() => awayCh.received('m2'), { timeoutMs: 20_000, what: `m2 recovered (got ${awayCh.texts()})` });
    expect(awayCh.received('m2')).toMatchObject({ isRecovered: true, recoveryComplete: false });
    const sinceM1 = awayCh.received('m1')!.ts;
    await waitFor(() => awayCh.notices.some((n) => n.sinceTs === sinceM1), { what: `the rejoin reported incomplete (${JSON.stringify(awayCh.notices)})` });

    // Once the member has seen a message younger than the new stream, recovery is complete again.
    await waitFor(() => Date.now() > created + 3_000, { timeoutMs: 5_000, what: 'past the clock slack' });
    await sender.channel.sendMessage({ text: 'm3' });
    await waitFor(() => awayCh.received('m3'), { what: 'm3 live' });
    const notices = awayCh.notices.length;
    await stack.kill(stack.gateways.find((g) => g.index === 0)!);
    await sender.channel.sendMessage({ text: 'm4' });
    await stack.spawn('gateway', 0);
    await waitFor(() => awayCh.received('m4'), { timeoutMs: 20_000, what: `m4 recovered (got ${awayCh.texts()})` });
    expect(awayCh.received('m4')).toMatchObject({ isRecovered: true, recoveryComplete: true });
    expect(awayCh.notices).toHaveLength(notices);
  });
});
