import type { RtmChannel } from '@parley/sdk';
import { createTestApp, freePorts, NatsServer, PostgresServer, Stack, waitFor, WireClient, type ParleyProcess, type TestApp } from '@parley/testing';
import { connectionStates, logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Standing suite 2 (issue 12): faults under steady traffic, every message accounted for.
 *
 * Parley runs on a PRIVATE nats-server (JetStream on, libs/testing NatsServer) and a PRIVATE Postgres
 * cluster (libs/testing PostgresServer: initdb in a temporary directory) — the machine's NATS and
 * Postgres are shared and never touched. Two gateways, two replicas of presence and channel (the
 * other services carry no traffic here and would only cost start-up time on a small box).
 *
 * Traffic: PEER_SENDERS SDK clients send peer messages with enableOfflineMessaging to random users,
 * OFFLINE_RECEIVERS of which stay logged out until the end (CACHED_BY_SERVER); the first
 * CHANNEL_MEMBERS clients share a channel and send to it. Faults, one after the other: kill -9 of
 * each gateway (gateway 0 comes back with the same GATEWAY_ID, gateway 1 with a new one), kill -9 of
 * one replica of each service, a NATS restart, a kill -9 of a gateway right after it (receivers
 * resuming after a NATS restart: defect 6), a Postgres restart. Then every client logs in again.
 *
 * Accounting (per fault, by the phase a message was sent in):
 *  - RECEIVED → the receiving app saw it exactly once;
 *  - CACHED_BY_SERVER → the receiving app saw it exactly once (by the end: after its login); when
 *    the receiver stayed logged in (it only resumed), before anyone logged in again — nothing is
 *    left in the store for it (defect 6, e2e/src/offline-online-receiver.e2e.spec.ts);
 *  - PEER_UNREACHABLE and failures (TIMEOUT, …) are allowed and counted;
 *  - channel: every member either got every accepted message exactly once (live or recovered), or
 *    was told that recovery was incomplete (RecoveryIncomplete with sinceTs ≤ the message's ts, or a
 *    recovered message with recoveryComplete: false);
 *  - users that do not come back (raw clients that never reconnect) go UNREACHABLE, then OFFLINE,
 *    also on the gateway restarted with the same GATEWAY_ID (no ghost).
 */

const PEER_SENDERS = 20;
const OFFLINE_RECEIVERS = 4;
const CHANNEL_MEMBERS = 12;
const PEER_INTERVAL_MS = 800; // 20 senders → 25 msg/s
const CHANNEL_INTERVAL_MS = 1_600; // 12 members → 7.5 msg/s
/** Stay well below the store's 200 rows per receiver: offline receivers stop being picked after this. */
const OFFLINE_CAP = 150;
const CHANNEL = 'faults';

const TIMERS = {
  ...FAST_TIMERS,
  GATEWAY_TTL_MS: '3000',
  // Long enough for a client whose gateway died to come back (SDK backoff up to 5 s), short enough to wait out.
  RECONNECT_WINDOW_MS: '8000',
  PEER_DELIVERY_TIMEOUT_MS: '3000',
  ACK_TIMEOUT_MS: '2000',
  SERVICE_TIMEOUT_MS: '3000',
};
const OFFLINE_DEADLINE_MS = 3_000 + 8_000 + 8_000; // TTL + window + sweeps and slack

type PeerResult = 'RECEIVED' | 'CACHED_BY_SERVER' | 'PEER_UNREACHABLE' | 'FAILED' | 'PENDING';

interface PeerSend {
  phase: number;
  from: string;
  to: string;
  text: string;
  result: PeerResult;
  error?: string;
}

interface ChannelSend {
  phase: number;
  from: string;
  text: string;
  /** Set when sendMessage resolved. */
  accepted: boolean;
  /** When sendMessage resolved (an upper bound of the server's ts, same host clock). */
  resolvedAt?: number;
}

interface ChannelGot {
  count: number;
  ts: number;
  recovered: boolean;
}

interface User {
  uid: string;
  client: RtmClient;
  states: Array<[string, string]>;
  /** Peer messages seen by the app: text → how many times, and how many of them were flagged offline. */
  peerGot: Map<string, number>;
  offlineGot: Set<string>;
  channel?: RtmChannel;
  chanGot: Map<string, ChannelGot>;
  /** RecoveryIncomplete sinceTs values, and ts of recovered messages flagged recoveryComplete: false. */
  incompleteSince: number[];
  lostFlagTs: number[];
}

describe('faults under traffic (standing suite 2)', () => {
  let nats: NatsServer;
  let pg: PostgresServer;
  let databaseUrl: string;
  let stack: Stack;
  let app: TestApp;
  /** Gateway 1 comes back under a new GATEWAY_ID after its kill; gateway 0 under the same one. */
  let gateway1Generation = 0;

  beforeAll(async () => {
    [nats, pg] = await Promise.all([NatsServer.start({ jetstream: true }), PostgresServer.start()]);
    databaseUrl = await pg.createParleyDatabase();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2 },
      env: TIMERS,
      ports: { gateway: await freePorts(2) }, // a restarted gateway keeps its URL
      natsUrl: nats.url,
      databaseUrl,
      replicaEnv: (app, index) =>
        app === 'gateway' && index === 1 && gateway1Generation > 0 ? { GATEWAY_ID: `${stack.prefix}-gw1-gen${gateway1Generation}` } : undefined,
    });
    app = await createTestApp({ databaseUrl });
  }, 90_000);

  afterAll(async () => {
    await logoutAll();
    await stack?.stop();
    await Promise.all([nats?.stop(), pg?.stop()]);
  }, 60_000);

  it('accounts for every peer and channel message through gateway, service, NATS and Postgres faults', async () => {
    const gateway = (index: number) => stack.gateways.find((g) => g.index === index) as ParleyProcess;
    const urls = [gateway(0).url, gateway(1).url];
    const phases: string[] = ['baseline'];
    let phase = 0;

    // ---- users -------------------------------------------------------------------------------
    const users: User[] = [];
    for (let i = 0; i < PEER_SENDERS + OFFLINE_RECEIVERS; i++) {
      const uid = `u${String(i).padStart(2, '0')}`;
      const client = newClient(app.appId, i % 2 ? [urls[1]!, urls[0]!] : [urls[0]!, urls[1]!]);
      const user: User = {
        uid,
        client,
        states: connectionStates(client),
        peerGot: new Map(),
        offlineGot: new Set(),
        chanGot: new Map(),
        incompleteSince: [],
        lostFlagTs: [],
      };
      client.on('MessageFromPeer', (m, _from, props) => {
        const text = (m as { text: string }).text;
        user.peerGot.set(text, (user.peerGot.get(text) ?? 0) + 1);
        if (props.isOfflineMessage) user.offlineGot.add(text);
      });
      users.push(user);
    }
    const senders = users.slice(0, PEER_SENDERS);
    const offline = users.slice(PEER_SENDERS);
    const members = users.slice(0, CHANNEL_MEMBERS);
    await Promise.all(senders.map((u) => u.client.login({ uid: u.uid })));
    for (const u of members) {
      const ch = u.client.createChannel(CHANNEL);
      ch.on('ChannelMessage', (m, _from, props) => {
        const text = (m as { text: string }).text;
        const got = u.chanGot.get(text);
        if (got) got.count++;
        else u.chanGot.set(text, { count: 1, ts: props.serverReceivedTs, recovered: !!props.isRecovered });
        if (props.isRecovered && props.recoveryComplete === false) u.lostFlagTs.push(props.serverReceivedTs);
      });
      ch.on('RecoveryIncomplete', (info) => u.incompleteSince.push(info.sinceTs));
      u.channel = ch;
    }
    await Promise.all(members.map((u) => u.channel!.join()));

    // Users that never come back: raw clients (no reconnect), one per gateway kill, watched by an SDK client.
    const watcher = newClient(app.appId, [urls[1]!, urls[0]!]);
    const watcherStates = connectionStates(watcher);
    const statusHistory: Record<string, string[]> = {};
    watcher.on('PeersOnlineStatusChanged', (status) => {
      for (const [uid, state] of Object.entries(status)) (statusHistory[uid] ??= []).push(state);
    });
    await watcher.login({ uid: 'watcher' });
    const goneUids = ['gone-gw0', 'gone-gw1'];
    const gone = await Promise.all(goneUids.map((uid, i) => WireClient.login(urls[i]!, app.appId, uid, { silent: true })));
    await watcher.subscribePeersOnlineStatus(goneUids);
    await waitFor(() => goneUids.every((uid) => statusHistory[uid]?.at(-1) === 'ONLINE'), { what: 'gone users ONLINE' });

    // ---- traffic -----------------------------------------------------------------------------
    const peerSends: PeerSend[] = [];
    const chanSends: ChannelSend[] = [];
    const cachedFor = new Map<string, number>();
    let running = true;
    let seq = 0;
    const connected = (u: User) => u.states.at(-1)?.[0] === 'CONNECTED';
    const pick = (from: User): User => {
      for (;;) {
        const to = users[Math.floor(Math.random() * users.length)]!;
        if (to === from) continue;
        if (offline.includes(to) && (cachedFor.get(to.uid) ?? 0) >= OFFLINE_CAP) continue;
        return to;
      }
    };
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    const peerLoop = async (u: User, offset: number) => {
      await sleep(offset);
      while (running) {
        if (connected(u)) {
          const to = pick(u);
          if (offline.includes(to)) cachedFor.set(to.uid, (cachedFor.get(to.uid) ?? 0) + 1);
          const send: PeerSend = { phase, from: u.uid, to: to.uid, text: `p:${u.uid}:${++seq}`, result: 'PENDING' };
          peerSends.push(send);
          track(
            u.client.sendMessageToPeer({ text: send.text }, to.uid, { enableOfflineMessaging: true }).then(
              (r) => (send.result = r.deliveryState as PeerResult),
              (err: Error & { code?: number }) => {
                send.result = 'FAILED';
                send.error = `${err.name}:${err.code}`;
              },
            ),
          );
        }
        await sleep(PEER_INTERVAL_MS);
      }
    };
    const channelLoop = async (u: User, offset: number) => {
      await sleep(offset);
      while (running) {
        if (connected(u)) {
          const send: ChannelSend = { phase, from: u.uid, text: `c:${u.uid}:${++seq}`, accepted: false };
          chanSends.push(send);
          track(
            u.channel!.sendMessage({ text: send.text }).then(
              () => {
                send.accepted = true;
                send.resolvedAt = Date.now();
              },
              () => undefined,
            ),
          );
        }
        await sleep(CHANNEL_INTERVAL_MS);
      }
    };
    const loops = [
      ...senders.map((u, i) => peerLoop(u, (i * PEER_INTERVAL_MS) / senders.length)),
      ...members.map((u, i) => channelLoop(u, (i * CHANNEL_INTERVAL_MS) / members.length)),
    ];

    const allConnected = (what: string) =>
      waitFor(() => [...senders, ...members].every(connected) && watcherStates.at(-1)?.[0] === 'CONNECTED', {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: `every client CONNECTED after ${what}`,
      });
    const fault = async (name: string, act: () => Promise<void>, settleMs = 2_500) => {
      phases.push(name);
      phase = phases.length - 1;
      await act();
      await allConnected(name);
      await sleep(settleMs);
    };

    await sleep(2_500); // baseline
    await fault('kill -9 gateway 0, restart with the same GATEWAY_ID', async () => {
      await stack.kill(gateway(0));
      await stack.spawn('gateway', 0);
    });
    await fault('kill -9 gateway 1, restart with a new GATEWAY_ID', async () => {
      await stack.kill(gateway(1));
      gateway1Generation++;
      await stack.spawn('gateway', 1);
    });
    for (const service of ['presence', 'channel'] as const) {
      await fault(`kill -9 ${service} replica 0, restart it`, async () => {
        await stack.kill(stack.processes.find((p) => p.app === service && p.index === 0)!);
        await stack.spawn(service, 0);
      });
    }
    await fault('restart NATS (private nats-server, SIGKILL)', () => nats.restart(), 3_000);
    await fault('kill -9 gateway 0 right after the NATS restart, restart it', async () => {
      await stack.kill(gateway(0));
      await stack.spawn('gateway', 0);
    });
    await fault('restart Postgres (private cluster, immediate stop)', () => pg.restart({ mode: 'immediate' }), 3_000);

    running = false;
    await Promise.all(loops);
    await Promise.all([...inFlight]); // every send settles (the SDK gives up after 10 s)
    await sleep(1_500); // last pushes and recoveries

    // ---- presence of the users that never came back -------------------------------------------
    for (const uid of goneUids) {
      await waitFor(() => statusHistory[uid]?.at(-1) === 'OFFLINE', {
        timeoutMs: OFFLINE_DEADLINE_MS,
        what: `${uid} OFFLINE (saw ${JSON.stringify(statusHistory[uid])})`,
      });
    }
    const goneNow = await watcher.queryPeersOnlineStatus(goneUids);

    // ---- channel accounting (before anyone leaves) --------------------------------------------
    const tsOf = (text: string, fallback: number) => {
      for (const u of members) {
        const got = u.chanGot.get(text);
        if (got) return got.ts;
      }
      return fallback;
    };
    const chanRows = phases.map(() => ({ accepted: 0, deliveries: 0, live: 0, recovered: 0, notified: 0, missing: 0, dup: 0 }));
    const missingChannel: string[] = [];
    for (const s of chanSends.filter((c) => c.accepted)) {
      const row = chanRows[s.phase]!;
      row.accepted++;
      const ts = tsOf(s.text, s.resolvedAt!);
      for (const u of members) {
        if (u.uid === s.from) continue;
        row.deliveries++;
        const got = u.chanGot.get(s.text);
        if (got) {
          if (got.recovered) row.recovered++;
          else row.live++;
          if (got.count > 1) row.dup += got.count - 1;
        } else if (u.incompleteSince.some((since) => since <= ts) || u.lostFlagTs.some((lostTs) => lostTs >= ts)) {
          row.notified++;
        } else {
          row.missing++;
          missingChannel.push(`${s.text}→${u.uid} (${phases[s.phase]})`);
        }
      }
    }

    // ---- defect 6: CACHED_BY_SERVER to a receiver that stayed logged in is delivered while it is ----
    // logged in (its gateway pushes what is stored when a store commits and after a NATS reconnect),
    // not only at its next login; nothing is left in the store for it.
    const byUid = new Map(users.map((u) => [u.uid, u]));
    const offlineUids = offline.map((u) => u.uid);
    const seenBeforeRelogin = new Map(users.map((u) => [u.uid, new Set(u.peerGot.keys())]));
    const storedForOnline = await pg.query<{ uid: string; n: number }>(
      'SELECT uid, count(*)::int AS n FROM offline_messages WHERE app_id = $1 AND NOT (uid = ANY($2)) GROUP BY uid ORDER BY uid',
      [app.appId, offlineUids],
    );

    // ---- every client logs in again: what was stored is delivered at that login ----------------
    const connectedAtEnd = [...senders, ...members].filter((u) => !connected(u)).map((u) => `${u.uid}:${JSON.stringify(u.states.slice(-3))}`);
    await Promise.all(senders.map((u) => u.client.logout()));
    await Promise.all(users.map((u) => u.client.login({ uid: u.uid })));
    const stored = async () => Number((await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM offline_messages WHERE app_id = $1', [app.appId]))[0]!.n);
    await waitFor(async () => (await stored()) === 0, { timeoutMs: 15_000, intervalMs: 250, what: 'the offline store drained' }).catch(() => undefined);
    await sleep(1_000);
    const leftInStore = await stored();

    // ---- peer accounting ------------------------------------------------------------------------
    const peerRows = phases.map(() => ({
      sent: 0,
      received: 0,
      cached: 0,
      cachedOnline: 0,
      deliveredWhileOnline: 0,
      deliveredAfterLogin: 0,
      unreachable: 0,
      failed: 0,
      lost: 0,
      dup: 0,
    }));
    const notDeliveredWhileOnline: string[] = [];
    const lostPeer: PeerSend[] = [];
    const failures = new Map<string, number>();
    for (const s of peerSends) {
      const row = peerRows[s.phase]!;
      row.sent++;
      const seen = byUid.get(s.to)!.peerGot.get(s.text) ?? 0;
      if (seen > 1) row.dup += seen - 1;
      switch (s.result) {
        case 'RECEIVED':
          row.received++;
          if (seen === 0) {
            row.lost++;
            lostPeer.push(s);
          }
          break;
        case 'CACHED_BY_SERVER': {
          row.cached++;
          const before = seenBeforeRelogin.get(s.to)!.has(s.text);
          if (!offlineUids.includes(s.to)) {
            row.cachedOnline++;
            if (before) row.deliveredWhileOnline++;
            else notDeliveredWhileOnline.push(`${s.text}→${s.to} (${phases[s.phase]})`);
          }
          if (seen === 0) {
            row.lost++;
            lostPeer.push(s);
          } else if (!before) row.deliveredAfterLogin++;
          break;
        }
        case 'PEER_UNREACHABLE':
          row.unreachable++;
          break;
        case 'FAILED':
        case 'PENDING': // never settled (cannot happen: the SDK gives up after 10 s)
          row.failed++;
          failures.set(s.error ?? s.result, (failures.get(s.error ?? s.result) ?? 0) + 1);
      }
    }

    // ---- report ---------------------------------------------------------------------------------
    const lines = phases.map((name, i) => {
      const p = peerRows[i]!;
      const c = chanRows[i]!;
      return (
        `[faults] ${name}: peer sent=${p.sent} received=${p.received} cached=${p.cached} (to logged-in receivers ${p.cachedOnline}, ` +
        `delivered to them while logged in ${p.deliveredWhileOnline}) delivered-after-login=${p.deliveredAfterLogin} ` +
        `unreachable=${p.unreachable} failed=${p.failed} lost=${p.lost} duplicated=${p.dup} | channel accepted=${c.accepted} ` +
        `deliveries=${c.deliveries} live=${c.live} recovered=${c.recovered} told-incomplete=${c.notified} lost=${c.missing} duplicated=${c.dup}`
      );
    });
    const diagnosis: string[] = [];
    for (const s of lostPeer.slice(0, 10)) {
      const rows = await pg.query(
        'SELECT seq, uid, from_uid, message_id FROM offline_messages WHERE app_id = $1 AND position(convert_to($2, $3) in payload) > 0',
        [app.appId, s.text, 'UTF8'],
      );
      diagnosis.push(`${s.text} ${s.from}→${s.to} ${s.result} in ${phases[s.phase]}: ${rows.length ? `still stored ${JSON.stringify(rows)}` : 'not stored'}`);
    }
    console.log(
      [
        ...lines,
        `[faults] failures by error: ${JSON.stringify(Object.fromEntries(failures))}; left in the offline store: ${leftInStore}`,
        `[faults] gone users: ${JSON.stringify(statusHistory)} now ${JSON.stringify(goneNow)}`,
        ...(connectedAtEnd.length ? [`[faults] not CONNECTED at the end: ${connectedAtEnd.join(', ')}`] : []),
        ...diagnosis.map((d) => `[faults] lost: ${d}`),
        ...notDeliveredWhileOnline.slice(0, 10).map((m) => `[faults] cached for a logged-in receiver, not delivered before its next login: ${m}`),
        ...(storedForOnline.length ? [`[faults] stored for logged-in receivers before the final login: ${JSON.stringify(storedForOnline)}`] : []),
        ...missingChannel.slice(0, 10).map((m) => `[faults] channel lost: ${m}`),
      ].join('\n'),
    );

    // ---- assertions -----------------------------------------------------------------------------
    expect(peerSends.length).toBeGreaterThan(250);
    // enough of the offline path exercised to mean something (the volume depends on the machine's load)
    expect(peerRows.reduce((n, p) => n + p.cached, 0)).toBeGreaterThan(40);
    expect(connectedAtEnd).toEqual([]);
    expect(diagnosis).toEqual([]);
    expect(notDeliveredWhileOnline).toEqual([]); // defect 6
    expect(storedForOnline).toEqual([]);
    expect(peerRows.map((p) => p.dup)).toEqual(phases.map(() => 0));
    expect(missingChannel).toEqual([]);
    expect(chanRows.map((c) => c.dup)).toEqual(phases.map(() => 0));
    expect(leftInStore).toBe(0);
    // Nobody came back for them: UNREACHABLE, then OFFLINE — also on the gateway that came back under
    // the same GATEWAY_ID (its heartbeat must not keep the dead process's sessions alive).
    for (const uid of goneUids) {
      const h = statusHistory[uid]!;
      expect(h.indexOf('UNREACHABLE')).toBeGreaterThan(0);
      expect(h.at(-1)).toBe('OFFLINE');
    }
    expect(goneNow).toEqual({ 'gone-gw0': false, 'gone-gw1': false });
    gone.forEach((g) => g.close());
  }, 170_000);
});
