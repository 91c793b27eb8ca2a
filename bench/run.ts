import { parseArgs } from 'node:util';
import { compare } from './compare';
import { benchApi } from './workloads/api';
import type { ClientKind } from './lib/clients';
import { startTarget, type Target, type TargetKind, type TargetOptions } from './lib/target';
import { measureFanout, printFanout } from './workloads/fanout';
import { measureIdle, printIdle } from './workloads/idle';
import { WARMUP_LOGINS, measureLoginCost, printLoginCost } from './workloads/login-cost';
import { measureLoginStorm, printLoginStorm } from './workloads/logins';
import { measureOpenLoop, printOpenLoop } from './workloads/openloop';
import { measureOffline, measureP2p, printP2p } from './workloads/p2p';
import { measureReconnect, printReconnect } from './workloads/reconnect';
import { benchHistory } from './workloads/history';
import { benchQuiet } from './workloads/quiet';
import { benchWebhooks } from './workloads/webhooks';

/**
 * npm run bench -- <mode> [options]
 *   p2p        peer messages with receiver ack (default 200 pairs × 4 in flight, 10 s)
 *   latency    the same with 10 pairs × 1 in flight (p50/p99)
 *   openloop   peer messages at a fixed --rate (1000/s) over --pairs (50): p50/p99/max from the due time;
 *              --split: every sender on gateway 0, every receiver on gateway 1 (each side's cost on its own)
 *   offline    peer messages to logged-out receivers, then the flush at their login (Parley only)
 *   idle       RSS, heap after GC and idle CPU per logged-in connection on one gateway (--connections 2000;
 *              figures at 10000 on the way when more); loopback source addresses rotate past the ~28k ports of one
 *   fanout     one channel of --members (2000) over two gateways, --senders (1) × --window (4) messages in flight
 *   logincost  CPU of opening + logging in one connection (--logins 1000 after --warmup-logins 2000): gateways,
 *              services, Postgres; and the warm-up's (cold) figure
 *   logins     a login storm of --rate (200) logins/s for --seconds while --p2p-rate (1000) peer msg/s flow
 *   reconnect  a gateway holding --sessions (5000) is SIGKILLed; the curve of sessions back on the other one
 *   api        REST peer sends through two server API replicas (wait_for_ack false and true): requests/s, p50/p99, CPU
 *   webhooks   --users (2000) logins + channel joins without, then with, one webhook endpoint (a local receiver; two
 *              webhooks replicas): login/join rates of both, notifications/s, action → receiver p50/p99
 *   history    P2P with history off then on (two history replicas): msg/s, latency, gateway CPU side by side, capture
 *              lag p50/p99; then page / 1.x query / count latencies over --rows (10,000,000) stored messages
 *              (seeded once into the bench database), --queries (200) of each
 *   quiet      the idle cluster: every app ×2 (media on a local s3rver), --sessions (0) idle lean clients, after --warmup
 *              (240) s the CPU over --seconds (60): per app, the services (all but gateways; target < 1 % of a core),
 *              the gateways, the cluster's Postgres backends (the warm-up outlasts V8's memory reducer: two major
 *              GCs of every process about 100 s and 200 s after its start, then no more while idle)
 *   compare    the baseline pipe (bench/baseline) and Parley, alternately, --runs (3) times each: medians and ratios
 * --target parley (default) | pipe: what the modes above run against (compare runs both)
 * --client wire (default: the bare protocol, a lean load generator) | sdk (the real SDK; p2p, latency, offline on Parley)
 */
async function main(): Promise<void> {
  const [mode = 'p2p', ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      target: { type: 'string', default: 'parley' },
      pairs: { type: 'string' },
      inflight: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      bytes: { type: 'string', default: '64' },
      client: { type: 'string', default: 'wire' },
      connections: { type: 'string', default: '2000' },
      members: { type: 'string', default: '2000' },
      senders: { type: 'string', default: '1' },
      window: { type: 'string', default: '4' },
      rate: { type: 'string' },
      'p2p-rate': { type: 'string', default: '1000' },
      logins: { type: 'string', default: '1000' },
      'warmup-logins': { type: 'string' },
      sessions: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'idle-connections': { type: 'string', default: '10000' },
      'openloop-seconds': { type: 'string', default: '15' },
      concurrency: { type: 'string', default: '64' },
      receivers: { type: 'string', default: '200' },
      users: { type: 'string', default: '2000' },
      parallel: { type: 'string', default: '50' },
      rows: { type: 'string', default: '10000000' },
      queries: { type: 'string', default: '200' },
      split: { type: 'boolean', default: false },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  if (values.client !== 'wire' && values.client !== 'sdk') throw new Error('--client wire|sdk');
  if (values.target !== 'parley' && values.target !== 'pipe') throw new Error('--target parley|pipe');
  const kind = values.target as TargetKind;
  const client = values.client as ClientKind;
  if (client === 'sdk' && kind === 'pipe') throw new Error('--client sdk runs against Parley only');
  const common = { seconds: num(values.seconds, 10), warmup: num(values.warmup, 2), bytes: num(values.bytes, 64) };
  const run = async (o: TargetOptions, body: (t: Target) => Promise<void>) => {
    const target = await startTarget(kind, o);
    try {
      await body(target);
    } finally {
      await target.stop();
    }
  };
  switch (mode) {
    case 'p2p':
    case 'latency': {
      const o = { ...common, client, pairs: num(values.pairs, mode === 'p2p' ? 200 : 10), inflight: num(values.inflight, mode === 'p2p' ? 4 : 1) };
      return run({ gateways: 2 }, async (t) => printP2p(t, o, await measureP2p(t, o)));
    }
    case 'offline':
      if (kind !== 'parley') throw new Error('offline: Parley only (the pipe stores nothing)');
      return run({ gateways: 2 }, (t) => measureOffline(t, { ...common, client, pairs: num(values.pairs, 200), inflight: num(values.inflight, 4) }));
    case 'openloop': {
      const o = { ...common, rate: num(values.rate, 1000), pairs: num(values.pairs, 50), split: values.split };
      return run({ gateways: 2 }, async (t) => printOpenLoop(t, o, await measureOpenLoop(t, o)));
    }
    case 'fanout': {
      const o = { ...common, members: num(values.members, 2000), senders: num(values.senders, 1), window: num(values.window, 4) };
      return run({ gateways: 2, channels: true }, async (t) => printFanout(t, o, await measureFanout(t, o)));
    }
    case 'idle': {
      const connections = num(values.connections, 2000);
      const o = { connections, checkpoints: [10_000], settleSeconds: num(values.seconds, 10) };
      return run({ gateways: 1 }, async (t) => printIdle(t, o, await measureIdle(t, o)));
    }
    case 'logincost': {
      const o = { logins: num(values.logins, 1000), parallel: 50, warmup: num(values['warmup-logins'], WARMUP_LOGINS) };
      return run({ gateways: 2 }, async (t) => printLoginCost(t, o, await measureLoginCost(t, o)));
    }
    case 'logins': {
      const o = { ...common, rate: num(values.rate, 200), p2pRate: num(values['p2p-rate'], 1000), pairs: num(values.pairs, 50) };
      return run({ gateways: 2 }, async (t) => printLoginStorm(t, o, await measureLoginStorm(t, o)));
    }
    case 'reconnect':
      return run({ gateways: 2, invitations: true }, async (t) =>
        printReconnect(t, await measureReconnect(t, { sessions: num(values.sessions, 5000), timeoutSeconds: 120 })),
      );
    case 'api':
      return benchApi({ seconds: common.seconds, warmup: common.warmup, receivers: num(values.receivers, 200), concurrency: num(values.concurrency, 64) });
    case 'webhooks':
      if (kind !== 'parley') throw new Error('webhooks: Parley only');
      return benchWebhooks({ users: num(values.users, 2000), parallel: num(values.parallel, 50), perChannel: 20, drainSeconds: num(values.seconds, 30) });
    case 'history':
      if (kind !== 'parley') throw new Error('history: Parley only');
      return benchHistory({
        ...common,
        client,
        pairs: num(values.pairs, 200),
        inflight: num(values.inflight, 4),
        rows: num(values.rows, 10_000_000),
        queries: num(values.queries, 200),
      });
    case 'quiet':
      if (kind !== 'parley') throw new Error('quiet: Parley only');
      return benchQuiet({ seconds: num(values.seconds, 60), warmup: num(values.warmup, 240), sessions: num(values.sessions, 0) });
    case 'compare':
      return compare({
        runs: num(values.runs, 3),
        seconds: num(values.seconds, 5),
        warmup: common.warmup,
        bytes: common.bytes,
        idleConnections: num(values['idle-connections'], 10000),
        logins: num(values.logins, 1000),
        fanoutMembers: num(values.members, 2000),
        openloopRate: num(values.rate, 1000),
        openloopSeconds: num(values['openloop-seconds'], 15),
      });
    default:
      throw new Error(
        `unknown bench mode "${mode}" (p2p, latency, openloop, offline, idle, fanout, logincost, logins, reconnect, api, webhooks, history, quiet, compare)`,
      );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
