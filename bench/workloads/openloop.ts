import { performance } from 'node:perf_hooks';
import { loginMany, logoutMany, type BenchClient } from '../lib/clients';
import { fmt, percentiles, table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface OpenLoopOptions {
  /** Messages per second, sent on schedule whatever the answers do. */
  rate: number;
  /** Sender/receiver pairs the messages rotate over (each pair split across the two gateways). */
  pairs: number;
  bytes: number;
  /** Sent with enableHistoricalMessaging (the history bench). */
  history?: boolean;
  /** Every sender on gateway 0 and every receiver on gateway 1, instead of each pair split both ways. */
  split?: boolean;
}

export interface OpenLoopFigures {
  elapsed: number;
  sent: number;
  acked: number;
  /** Not RECEIVED: unreachable, timed out, refused. */
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

/** Messages still unanswered beyond this are not sent (counted as failed): the generator must not grow without bound. */
const OUTSTANDING_MAX = 20_000;

/**
 * Peer messages at a fixed rate (open loop). Latency runs from the moment a message was due, not
 * when it went out, so a stalled sender or server cannot hide its queueing (no coordinated omission).
 */
export class OpenLoopTraffic {
  private t0 = performance.now();
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private outstanding = 0;
  private latencies: number[] = [];
  private markAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly text: string;

  private constructor(
    private readonly o: OpenLoopOptions,
    private readonly senders: BenchClient[],
    private readonly receivers: BenchClient[],
    private readonly receiverIds: string[],
  ) {
    this.text = 'x'.repeat(o.bytes);
    this.timer = setInterval(() => this.tick(), 1);
  }

  static async start(target: Target, o: OpenLoopOptions): Promise<OpenLoopTraffic> {
    const urls = target.urls;
    const tag = Math.random().toString(36).slice(2, 7);
    const receiverIds = Array.from({ length: o.pairs }, (_, i) => `ol-r${i}-${tag}`);
    const receivers = await loginMany('wire', target.appId, receiverIds, (i) => urls[o.split ? urls.length - 1 : (i + 1) % urls.length]!);
    const senders = await loginMany(
      'wire',
      target.appId,
      receiverIds.map((_, i) => `ol-s${i}-${tag}`),
      (i) => urls[o.split ? 0 : i % urls.length]!,
    );
    return new OpenLoopTraffic(o, senders, receivers, receiverIds);
  }

  /** Starts a new measuring phase: figures (and the schedule's count) start from here. */
  mark(): void {
    this.markAt = this.t0 = performance.now();
    this.sent = this.acked = this.failed = 0;
    this.latencies = [];
  }

  figures(): OpenLoopFigures {
    return { elapsed: (performance.now() - this.markAt) / 1000, sent: this.sent, acked: this.acked, failed: this.failed, ...percentiles(this.latencies) };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + 15_000;
    while (this.outstanding > 0 && Date.now() < deadline) await sleep(20);
    await logoutMany([...this.senders, ...this.receivers]);
  }

  private tick(): void {
    const now = performance.now();
    const interval = 1000 / this.o.rate;
    const due = Math.floor((now - this.t0) / interval);
    for (; this.sent < due; this.sent++) {
      const k = this.sent;
      const dueAt = this.t0 + k * interval;
      if (this.outstanding >= OUTSTANDING_MAX) {
        this.failed++;
        continue;
      }
      const pair = k % this.senders.length;
      this.outstanding++;
      const phase = this.markAt;
      void this.senders[pair]!.send(this.receiverIds[pair]!, this.text, false, this.o.history === true)
        .catch(() => 'FAILED' as const)
        .then((r) => {
          this.outstanding--;
          if (phase !== this.markAt) return; // answered after a new phase began: belongs to none
          if (r === 'RECEIVED') {
            this.acked++;
            this.latencies.push(performance.now() - dueAt);
          } else this.failed++;
        });
    }
  }
}

export interface OpenLoopResult extends OpenLoopFigures {
  cpuPerMsgUs: number;
}

export async function measureOpenLoop(target: Target, o: OpenLoopOptions & { seconds: number; warmup: number }): Promise<OpenLoopResult> {
  const traffic = await OpenLoopTraffic.start(target, o);
  try {
    await sleep(o.warmup * 1000);
    traffic.mark();
    const cpu0 = target.cpu();
    await sleep(o.seconds * 1000);
    const cpu = cpuSpent(cpu0, target.cpu());
    const f = traffic.figures();
    return { ...f, cpuPerMsgUs: (cpu.gateways * 1000) / Math.max(1, f.acked) };
  } finally {
    await traffic.stop();
  }
}

export function printOpenLoop(target: Target, o: OpenLoopOptions & { seconds: number }, r: OpenLoopResult): void {
  console.log(
    `\nopenloop (${target.kind}): ${o.rate} msg/s on schedule over ${o.pairs} pairs${o.split ? ' (senders on gateway 0, receivers on gateway 1)' : ''}, ${o.bytes}-byte text, ${o.seconds} s`,
  );
  console.log(
    table([
      ['acknowledged', `${fmt.rate(r.acked / r.elapsed)} msg/s (${r.acked} of ${r.sent} due; ${r.failed} not acknowledged)`],
      ['latency (from due time)', `p50 ${fmt.ms(r.p50)}  p99 ${fmt.ms(r.p99)}  max ${fmt.ms(r.max)}`],
      ['gateway CPU / msg', `${r.cpuPerMsgUs.toFixed(0)} µs (both gateways, summed)`],
    ]),
  );
}
