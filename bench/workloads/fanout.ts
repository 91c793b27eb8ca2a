import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Evt, MessageKind, Op, type ChannelMessageEvent } from '@parley/contracts';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { rssKb } from '../lib/proc-stats';
import { fmt, percentiles, table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface FanoutOptions {
  members: number;
  senders: number;
  /** Messages per sender not yet received by every member before the sender waits (closed loop). */
  window: number;
  seconds: number;
  warmup: number;
  bytes: number;
}

export interface FanoutResult {
  deliveries: number;
  elapsed: number;
  /** Messages sent in the measuring window that not every member got within STALL_MS. */
  incomplete: number;
  /** Sender's send → member's receipt, both in this process (one clock), ms. */
  p50: number;
  p99: number;
  max: number;
  cpuPerDeliveryUs: number;
  gatewayCpuPct: number[];
  generatorCpuPct: number;
}

/** A message still short of some members after this is given up on (the sender's window moves on). */
const STALL_MS = 5_000;

/** One channel of M members spread over two gateways; senders publish, every other member receives. */
export async function measureFanout(target: Target, o: FanoutOptions): Promise<FanoutResult> {
  const ch = `fanout-${randomBytes(3).toString('hex')}`;
  const urls = target.urls;
  let measuring = false;
  let deliveries = 0;
  const latencies: number[] = [];
  /** Message id → [members that got it, when it was sent]. */
  const inFlight = new Map<string, { got: number; sentAt: number }>();
  const members: LeanClient[] = [];
  const onEvent = (evt: number, data: unknown) => {
    if (evt !== Evt.CHANNEL_MESSAGE) return;
    const sent = inFlight.get((data as ChannelMessageEvent).id);
    if (!sent) return;
    sent.got++;
    if (!measuring) return;
    deliveries++;
    latencies.push(performance.now() - sent.sentAt);
  };
  const open = async (i: number) => {
    const c = await loginLean(urls[i % urls.length]!, target.appId, `u${i}`, { instanceId: `f${i}`, onEvent });
    const [joined] = await c.request(Op.JOIN, { ch }, 60_000);
    if (joined !== 0) throw new Error(`join u${i}: ${joined}`);
    members[i] = c;
  };
  try {
    for (let i = 0; i < o.members; i += 50) await Promise.all(Array.from({ length: Math.min(50, o.members - i) }, (_, k) => open(i + k)));
    await sleep(1_500); // let member events and counts settle

    let running = true;
    let incomplete = 0;
    const text = 'x'.repeat(o.bytes);
    const expected = o.members - 1;
    const sender = async (s: number) => {
      const c = members[s]!;
      const outstanding: string[] = [];
      let n = 0;
      while (running) {
        const now = performance.now();
        while (outstanding.length) {
          const head = inFlight.get(outstanding[0]!)!;
          if (head.got < expected && now - head.sentAt < STALL_MS) break;
          if (head.got < expected && measuring) incomplete++;
          inFlight.delete(outstanding.shift()!);
        }
        if (outstanding.length >= o.window) {
          await sleep(1);
          continue;
        }
        const id = `s${s}-${++n}`;
        outstanding.push(id);
        inFlight.set(id, { got: 0, sentAt: performance.now() });
        await c.request(Op.SEND_CHANNEL, { ch, id, m: { k: MessageKind.TEXT, text } }).catch(() => undefined);
      }
    };
    const loops = Array.from({ length: o.senders }, (_, s) => sender(s));
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
    await Promise.all(loops);
    return {
      deliveries,
      elapsed,
      incomplete,
      ...percentiles(latencies),
      cpuPerDeliveryUs: (spent.gateways * 1000) / Math.max(1, deliveries),
      gatewayCpuPct: spent.perGateway.map((ms) => ms / 10 / elapsed),
      generatorCpuPct: (self.user + self.system) / 1e4 / elapsed,
    };
  } finally {
    for (const c of members) c?.close();
  }
}

export function printFanout(target: Target, o: FanoutOptions, r: FanoutResult): void {
  const expected = o.members - 1;
  console.log(
    `\nfanout (${target.kind}): 1 channel, ${o.members} members over ${target.urls.length} gateways, ${o.senders} sender(s) × ${o.window} messages in flight, ${o.seconds} s`,
  );
  console.log(
    table([
      [
        'deliveries',
        `${fmt.rate(r.deliveries / r.elapsed)}/s (${r.deliveries} in ${r.elapsed.toFixed(1)} s, ${fmt.rate(r.deliveries / r.elapsed / expected)} messages/s; ${r.incomplete} messages missed some member)`,
      ],
      ['delivery latency', `p50 ${fmt.ms(r.p50)}  p99 ${fmt.ms(r.p99)}  max ${fmt.ms(r.max)} (sender's send → member's receipt, one clock)`],
      ['gateway CPU / delivery', `${r.cpuPerDeliveryUs.toFixed(2)} µs (both gateways, summed)`],
      ['load generator CPU', `${r.generatorCpuPct.toFixed(0)}% (every member's socket is in this process)`],
      ...target.gatewayPids.map((pid, i): [string, string] => [`gateway ${i}`, `CPU ${r.gatewayCpuPct[i]!.toFixed(0)}%  RSS ${fmt.kb(rssKb(pid))}`]),
    ]),
  );
}
