import { createTestApp, freePorts, Stack, waitFor, type ParleyProcess, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A rolling restart of both gateways (SIGTERM one, start it again, then the other) under steady
 * peer and channel traffic: every client moves to the other gateway without leaving CONNECTED,
 * every peer message the server acknowledged as received reaches its peer, and every channel
 * message the server accepted reaches every other member.
 */
describe('rolling restart of the gateways under traffic', () => {
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    const ports = await freePorts(2);
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2 },
      env: { ...FAST_TIMERS, RECONNECT_WINDOW_MS: '10000', DRAIN_TIMEOUT_MS: '5000' },
      ports: { gateway: ports },
    });
    app = await createTestApp();
  });

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
  });

  it('loses nothing acknowledged and ends with every client CONNECTED', async () => {
    const [a, b] = stack.gateways as [ParleyProcess, ParleyProcess];
    const urls = [a.url, b.url];
    const N = 6;
    const clients: RtmClient[] = [];
    const states: Array<Array<[string, string]>> = [];
    const peerGot: Array<Set<string>> = [];
    const chanGot: Array<Set<string>> = [];
    for (let i = 0; i < N; i++) {
      const c = newClient(app.appId, i % 2 ? [urls[1]!, urls[0]!] : [urls[0]!, urls[1]!]);
      states.push(connectionStates(c));
      const got = new Set<string>();
      c.on('MessageFromPeer', (m) => got.add((m as { text: string }).text));
      peerGot.push(got);
      clients.push(c);
    }
    await Promise.all(clients.map((c, i) => c.login({ uid: `roller${i}` })));
    const channels = clients.map((c, i) => {
      const ch = c.createChannel('rolling');
      const got = new Set<string>();
      ch.on('ChannelMessage', (m) => got.add((m as { text: string }).text));
      chanGot[i] = got;
      return ch;
    });
    await Promise.all(channels.map((ch) => ch.join()));

    // Steady traffic: each client sends a peer message to the next one and a channel message, in turns.
    const acked: Array<{ to: number; text: string }> = [];
    const accepted: Array<{ from: number; text: string }> = [];
    let failures = 0;
    let running = true;
    const loops = clients.map(async (c, i) => {
      for (let n = 0; running; n++) {
        const to = (i + 1) % N;
        const text = `p${i}-${n}`;
        const peer = c.sendMessageToPeer({ text }, `roller${to}`).then(
          (r) => r.hasPeerReceived && acked.push({ to, text }),
          () => failures++,
        );
        const chText = `c${i}-${n}`;
        const chan = channels[i]!.sendMessage({ text: chText }).then(
          () => accepted.push({ from: i, text: chText }),
          () => failures++,
        );
        await Promise.all([peer, chan, sleep(200)]);
      }
    });

    await sleep(1_500);
    for (const index of [0, 1]) {
      const gw = stack.gateways.find((g) => g.index === index)!;
      await stack.kill(gw, 'SIGTERM'); // drains: its clients move to the other gateway
      await stack.spawn('gateway', index); // same port: the URL lists stay valid
      await sleep(2_000);
    }
    await sleep(1_000);
    running = false;
    await Promise.all(loops);
    await sleep(2_000); // the last deliveries and recoveries

    console.log(`rolling restart: ${acked.length} peer messages acknowledged, ${accepted.length} channel messages accepted, ${failures} sends failed`);
    expect(acked.length).toBeGreaterThan(N * 10);
    const lostPeer = acked.filter(({ to, text }) => !peerGot[to]!.has(text));
    expect(lostPeer).toEqual([]);
    const lostChannel = accepted.flatMap(({ from, text }) =>
      clients
        .map((_, i) => i)
        .filter((i) => i !== from && !chanGot[i]!.has(text))
        .map((i) => `${text}→${i}`),
    );
    expect(lostChannel).toEqual([]);
    for (const s of states) {
      expect(s.at(-1)?.[0]).toBe('CONNECTED');
      expect(s.map(([state]) => state)).not.toContain('ABORTED');
      expect(s.map(([state]) => state)).not.toContain('RECONNECTING'); // drained: moved without an interruption
      expect(s.map(([state]) => state)).not.toContain('DISCONNECTED');
    }
    await waitFor(() => stack.gateways.length === 2);
  });
});
