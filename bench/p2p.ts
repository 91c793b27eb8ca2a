import { performance } from 'node:perf_hooks';
import { createTestApp, Stack, waitFor } from '@parley/testing';
import { loginMany, logoutMany, type ClientKind } from './lib/clients';
import { cpuMs, rssKb } from './lib/proc-stats';
import { fmt, percentiles, table } from './lib/report';

export interface P2pOptions {
  pairs: number;
  inflight: number;
  seconds: number;
  warmup: number;
  bytes: number;
  offline: boolean;
  client: ClientKind;
}

/** Peer messages with receiver ack: N sender/receiver pairs, each pair split across the two gateways. */
export async function p2p(o: P2pOptions): Promise<void> {
  const stack = await Stack.start({
    replicas: { gateway: 2, presence: 1 },
    // The bench measures the pipe, not the per-user limit (180 / 3 s would cap 200 senders at 12k/s).
    env: { LOG_LEVEL: 'warn', MESSAGE_RATE: '1000000/3000' },
    // --profile: V8 CPU profiles of the gateways (written at exit) for chrome://inspect or speedscope.
    appEnv: process.env['PARLEY_BENCH_PROFILE'] ? { gateway: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env['PARLEY_BENCH_PROFILE']}` } } : {},
  });
  try {
    const app = await createTestApp();
    const urls = stack.gatewayUrls;
    const senderIds = Array.from({ length: o.pairs }, (_, i) => `s${i}`);
    const receiverIds = Array.from({ length: o.pairs }, (_, i) => `r${i}`);
    const text = 'x'.repeat(o.bytes);
    const gateways = stack.gateways.map((g) => g.child.pid!);

    if (o.offline) return await offlineRun(o, app.appId, urls, senderIds, receiverIds, text, gateways);

    let received = 0;
    const receivers = await loginMany(o.client, app.appId, receiverIds, (i) => urls[(i + 1) % 2]!, { onPeerMessage: () => void received++ });
    const senders = await loginMany(o.client, app.appId, senderIds, (i) => urls[i % 2]!);

    let measuring = false;
    let running = true;
    let acked = 0;
    const latencies: number[] = [];
    const worker = async (i: number) => {
      const sender = senders[i]!;
      const peer = receiverIds[i]!;
      while (running) {
        const t0 = performance.now();
        const r = await sender.send(peer, text, false);
        if (measuring && r === 'RECEIVED') {
          acked++;
          latencies.push(performance.now() - t0);
        }
      }
    };
    const workers = senders.flatMap((_, i) => Array.from({ length: o.inflight }, () => worker(i)));
    await sleep(o.warmup * 1000);
    const cpu0 = gateways.map(cpuMs);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    measuring = true;
    await sleep(o.seconds * 1000);
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = gateways.map(cpuMs);
    const self1 = process.cpuUsage(self0);
    running = false;
    await Promise.all(workers);

    const rate = acked / elapsed;
    const { p50, p99, max } = percentiles(latencies);
    const cpuPerMsgUs = (cpu1.reduce((a, v, i) => a + v - cpu0[i]!, 0) * 1000) / acked;
    console.log(`\np2p: ${o.pairs} pairs × ${o.inflight} in flight, ${o.bytes}-byte text, ${o.seconds} s (after ${o.warmup} s warm-up), ${o.client} clients`);
    console.log(
      table([
        ['acknowledged', `${fmt.rate(rate)} msg/s (${acked} in ${elapsed.toFixed(1)} s; ${received} received in total)`],
        ['latency', `p50 ${fmt.ms(p50)}  p99 ${fmt.ms(p99)}  max ${fmt.ms(max)}`],
        ['gateway CPU / msg', `${cpuPerMsgUs.toFixed(0)} µs (both gateways, summed)`],
        ['load generator CPU', `${(((self1.user + self1.system) / 1e6 / elapsed) * 100).toFixed(0)}% (${o.client} clients, this process)`],
        ...gateways.map((pid, i): [string, string] => [
          `gateway ${i}`,
          `CPU ${(((cpu1[i]! - cpu0[i]!) / 1000 / elapsed) * 100).toFixed(0)}%  RSS ${fmt.kb(rssKb(pid))}`,
        ]),
      ]),
    );
    await logoutMany([...senders, ...receivers]);
  } finally {
    await stack.stop();
  }
}

async function offlineRun(o: P2pOptions, appId: string, urls: string[], senderIds: string[], receiverIds: string[], text: string, gateways: number[]) {
  const senders = await loginMany(o.client, appId, senderIds, (i) => urls[i % 2]!);
  let cached = 0;
  let running = true;
  const latencies: number[] = [];
  // Each receiver keeps at most 200 messages: stop a sender at 200 so every stored message is flushed later.
  const perReceiver = 200;
  const worker = async (i: number, share: number) => {
    let sent = 0;
    while (running && sent < share) {
      sent++;
      const t0 = performance.now();
      const r = await senders[i]!.send(receiverIds[i]!, text, true);
      if (r === 'CACHED_BY_SERVER') {
        cached++;
        latencies.push(performance.now() - t0);
      }
    }
  };
  const cpu0 = gateways.map(cpuMs);
  const t0 = performance.now();
  const timer = setTimeout(() => (running = false), o.seconds * 1000);
  await Promise.all(senders.flatMap((_, i) => Array.from({ length: o.inflight }, () => worker(i, perReceiver / o.inflight))));
  clearTimeout(timer);
  const storeElapsed = (performance.now() - t0) / 1000;
  const cpu1 = gateways.map(cpuMs);
  const store = percentiles(latencies);

  let delivered = 0;
  const t1 = performance.now();
  const receivers = await loginMany(o.client, appId, receiverIds, (i) => urls[(i + 1) % 2]!, { parallel: 100, onPeerMessage: () => void delivered++ });
  await waitFor(() => delivered >= cached * 0.99, { timeoutMs: 120_000, intervalMs: 100, what: `flush (${delivered}/${cached})` }).catch(() => undefined);
  const flushElapsed = (performance.now() - t1) / 1000;
  console.log(`\np2p offline: ${o.pairs} senders × ${o.inflight} in flight, receivers logged out, then flushed at login`);
  console.log(
    table([
      ['stored (CACHED_BY_SERVER)', `${fmt.rate(cached / storeElapsed)} msg/s (${cached} in ${storeElapsed.toFixed(1)} s)`],
      ['store latency', `p50 ${fmt.ms(store.p50)}  p99 ${fmt.ms(store.p99)}  max ${fmt.ms(store.max)}`],
      ['gateway CPU / stored msg', `${((cpu1.reduce((a, v, i) => a + v - cpu0[i]!, 0) * 1000) / Math.max(1, cached)).toFixed(0)} µs`],
      ['flushed at login', `${fmt.rate(delivered / flushElapsed)} msg/s (${delivered} in ${flushElapsed.toFixed(1)} s, logins included)`],
    ]),
  );
  await logoutMany([...senders, ...receivers]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
