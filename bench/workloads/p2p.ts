import { performance } from 'node:perf_hooks';
import { waitFor } from '@parley/testing';
import { loginMany, logoutMany, type ClientKind } from '../lib/clients';
import { rssKb } from '../lib/proc-stats';
import { fmt, percentiles, table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface P2pOptions {
  pairs: number;
  inflight: number;
  seconds: number;
  warmup: number;
  bytes: number;
  client: ClientKind;
  /** Sent with enableHistoricalMessaging (the history bench). */
  history?: boolean;
}

export interface P2pResult {
  rate: number;
  acked: number;
  /** Not RECEIVED (unreachable, timed out, refused) while measuring. */
  failed: number;
  received: number;
  elapsed: number;
  p50: number;
  p99: number;
  max: number;
  /** Both gateways' CPU per acknowledged message, µs. */
  cpuPerMsgUs: number;
  gatewayCpuPct: number[];
  generatorCpuPct: number;
}

/** Peer messages with receiver ack, closed loop: N sender/receiver pairs, each pair split across the two gateways. */
export async function measureP2p(target: Target, o: P2pOptions): Promise<P2pResult> {
  const urls = target.urls;
  const senderIds = Array.from({ length: o.pairs }, (_, i) => `s${i}`);
  const receiverIds = Array.from({ length: o.pairs }, (_, i) => `r${i}`);
  const text = 'x'.repeat(o.bytes);
  let received = 0;
  const receivers = await loginMany(o.client, target.appId, receiverIds, (i) => urls[(i + 1) % urls.length]!, { onPeerMessage: () => void received++ });
  const senders = await loginMany(o.client, target.appId, senderIds, (i) => urls[i % urls.length]!);
  try {
    let measuring = false;
    let running = true;
    let acked = 0;
    let failed = 0;
    const latencies: number[] = [];
    const worker = async (i: number) => {
      const sender = senders[i]!;
      const peer = receiverIds[i]!;
      while (running) {
        const t0 = performance.now();
        const r = await sender.send(peer, text, false, o.history === true).catch(() => 'FAILED' as const);
        if (!measuring) continue;
        if (r === 'RECEIVED') {
          acked++;
          latencies.push(performance.now() - t0);
        } else failed++;
      }
    };
    const workers = senders.flatMap((_, i) => Array.from({ length: o.inflight }, () => worker(i)));
    await sleep(o.warmup * 1000);
    const cpu0 = target.cpu();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    measuring = true;
    await sleep(o.seconds * 1000);
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    const spent = cpuSpent(cpu0, target.cpu());
    const self = process.cpuUsage(self0);
    running = false;
    await Promise.all(workers);
    return {
      rate: acked / elapsed,
      acked,
      failed,
      received,
      elapsed,
      ...percentiles(latencies),
      cpuPerMsgUs: (spent.gateways * 1000) / Math.max(1, acked),
      gatewayCpuPct: spent.perGateway.map((ms) => ms / 10 / elapsed),
      generatorCpuPct: (self.user + self.system) / 1e4 / elapsed,
    };
  } finally {
    await logoutMany([...senders, ...receivers]);
  }
}

export function printP2p(target: Target, o: P2pOptions, r: P2pResult): void {
  console.log(
    `\np2p (${target.kind}): ${o.pairs} pairs × ${o.inflight} in flight, ${o.bytes}-byte text, ${o.seconds} s (after ${o.warmup} s warm-up), ${o.client} clients`,
  );
  console.log(
    table([
      ['acknowledged', `${fmt.rate(r.rate)} msg/s (${r.acked} in ${r.elapsed.toFixed(1)} s, ${r.failed} not acknowledged; ${r.received} received in total)`],
      ['latency', `p50 ${fmt.ms(r.p50)}  p99 ${fmt.ms(r.p99)}  max ${fmt.ms(r.max)}`],
      ['gateway CPU / msg', `${r.cpuPerMsgUs.toFixed(0)} µs (both gateways, summed)`],
      ['load generator CPU', `${r.generatorCpuPct.toFixed(0)}% (${o.client} clients, this process)`],
      ...target.gatewayPids.map((pid, i): [string, string] => [`gateway ${i}`, `CPU ${r.gatewayCpuPct[i]!.toFixed(0)}%  RSS ${fmt.kb(rssKb(pid))}`]),
    ]),
  );
}

/** Peer messages to logged-out receivers (stored), then the flush when they log in (Parley only: the pipe stores nothing). */
export async function measureOffline(target: Target, o: P2pOptions): Promise<void> {
  const urls = target.urls;
  const senderIds = Array.from({ length: o.pairs }, (_, i) => `s${i}`);
  const receiverIds = Array.from({ length: o.pairs }, (_, i) => `r${i}`);
  const text = 'x'.repeat(o.bytes);
  const senders = await loginMany(o.client, target.appId, senderIds, (i) => urls[i % 2]!);
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
  const cpu0 = target.cpu();
  const t0 = performance.now();
  const timer = setTimeout(() => (running = false), o.seconds * 1000);
  await Promise.all(senders.flatMap((_, i) => Array.from({ length: o.inflight }, () => worker(i, perReceiver / o.inflight))));
  clearTimeout(timer);
  const storeElapsed = (performance.now() - t0) / 1000;
  const spent = cpuSpent(cpu0, target.cpu());
  const store = percentiles(latencies);

  let delivered = 0;
  const t1 = performance.now();
  const receivers = await loginMany(o.client, target.appId, receiverIds, (i) => urls[(i + 1) % 2]!, { parallel: 100, onPeerMessage: () => void delivered++ });
  await waitFor(() => delivered >= cached * 0.99, { timeoutMs: 120_000, intervalMs: 100, what: `flush (${delivered}/${cached})` }).catch(() => undefined);
  const flushElapsed = (performance.now() - t1) / 1000;
  console.log(`\np2p offline: ${o.pairs} senders × ${o.inflight} in flight, receivers logged out, then flushed at login`);
  console.log(
    table([
      ['stored (CACHED_BY_SERVER)', `${fmt.rate(cached / storeElapsed)} msg/s (${cached} in ${storeElapsed.toFixed(1)} s)`],
      ['store latency', `p50 ${fmt.ms(store.p50)}  p99 ${fmt.ms(store.p99)}  max ${fmt.ms(store.max)}`],
      ['gateway CPU / stored msg', `${((spent.gateways * 1000) / Math.max(1, cached)).toFixed(0)} µs`],
      ['flushed at login', `${fmt.rate(delivered / flushElapsed)} msg/s (${delivered} in ${flushElapsed.toFixed(1)} s, logins included)`],
    ]),
  );
  await logoutMany([...senders, ...receivers]);
}
