import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Evt, MessageKind, Op, type ChannelMessageEvent } from '@parley/contracts';
import { createTestApp, Stack, WireClient } from '@parley/testing';
import { cpuMs, rssKb } from './lib/proc-stats';
import { fmt, percentiles, table } from './lib/report';

export interface FanoutOptions {
  members: number;
  senders: number;
  /** Messages per sender not yet received by every member before the sender waits (closed loop). */
  window: number;
  seconds: number;
  warmup: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One channel of M members spread over two gateways; senders publish, every other member receives. */
export async function fanout(o: FanoutOptions): Promise<void> {
  const stack = await Stack.start({
    replicas: { gateway: 2, presence: 1, channel: 1 },
    env: { LOG_LEVEL: 'warn', MESSAGE_RATE: '1000000/3000' },
  });
  try {
    const app = await createTestApp();
    const ch = `fanout-${randomBytes(3).toString('hex')}`;
    const urls = stack.gatewayUrls;
    const gateways = stack.gateways.map((g) => g.child.pid!);
    let measuring = false;
    let deliveries = 0;
    const latencies: number[] = [];
    const receivedBy = new Map<string, number>();
    const members: WireClient[] = [];
    const open = async (i: number) => {
      const c = await WireClient.open(urls[i % 2]!, { keepFrames: false });
      c.onEvent = (evt, data) => {
        if (evt !== Evt.CHANNEL_MESSAGE) return;
        const m = data as ChannelMessageEvent;
        receivedBy.set(m.id, (receivedBy.get(m.id) ?? 0) + 1);
        if (!measuring) return;
        deliveries++;
        if ((deliveries & 7) === 0) latencies.push(Date.now() - m.ts); // sample: serverReceivedTs → arrival
      };
      const [code] = await c.request(Op.LOGIN, { appId: app.appId, uid: `u${i}`, instanceId: `f${i}` });
      if (code !== 0) throw new Error(`login u${i}: ${code}`);
      const [joined] = await c.request(Op.JOIN, { ch }, 30_000);
      if (joined !== 0) throw new Error(`join u${i}: ${joined}`);
      members[i] = c;
    };
    for (let i = 0; i < o.members; i += 50) await Promise.all(Array.from({ length: Math.min(50, o.members - i) }, (_, k) => open(i + k)));
    await sleep(1_500); // let member events settle

    let running = true;
    const text = 'x'.repeat(o.bytes);
    const expected = o.members - 1;
    const sender = async (s: number) => {
      const c = members[s]!;
      const outstanding: string[] = [];
      let n = 0;
      while (running) {
        while (outstanding.length && (receivedBy.get(outstanding[0]!) ?? 0) >= expected) receivedBy.delete(outstanding.shift()!);
        if (outstanding.length >= o.window) {
          await sleep(1);
          continue;
        }
        const id = `s${s}-${++n}`;
        outstanding.push(id);
        await c.request(Op.SEND_CHANNEL, { ch, id, m: { k: MessageKind.TEXT, text } });
      }
    };
    const loops = Array.from({ length: o.senders }, (_, s) => sender(s));
    await sleep(o.warmup * 1000);
    const cpu0 = gateways.map(cpuMs);
    const t0 = performance.now();
    measuring = true;
    await sleep(o.seconds * 1000);
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = gateways.map(cpuMs);
    running = false;
    await Promise.all(loops);
    const { p50, p99, max } = percentiles(latencies);
    console.log(`\nfanout: 1 channel, ${o.members} members over 2 gateways, ${o.senders} sender(s) × ${o.window} messages in flight, ${o.seconds} s`);
    console.log(
      table([
        [
          'deliveries',
          `${fmt.rate(deliveries / elapsed)}/s (${deliveries} in ${elapsed.toFixed(1)} s, ${fmt.rate(deliveries / elapsed / expected)} messages/s)`,
        ],
        ['delivery latency', `p50 ${p50.toFixed(0)} ms  p99 ${p99.toFixed(0)} ms  max ${max.toFixed(0)} ms (server receive → member)`],
        ['gateway CPU / delivery', `${(((cpu1[0]! - cpu0[0]! + cpu1[1]! - cpu0[1]!) * 1000) / Math.max(1, deliveries)).toFixed(1)} µs`],
        ...gateways.map((pid, i): [string, string] => [
          `gateway ${i}`,
          `CPU ${(((cpu1[i]! - cpu0[i]!) / 1000 / elapsed) * 100).toFixed(0)}%  RSS ${fmt.kb(rssKb(pid))}`,
        ]),
      ]),
    );
    for (const c of members) c.close();
  } finally {
    await stack.stop();
  }
}
