import { cpus, loadavg } from 'node:os';
import { fmt, grid, median } from './lib/report';
import { startTarget, type Target, type TargetKind, type TargetOptions } from './lib/target';
import { measureFanout } from './workloads/fanout';
import { measureIdle } from './workloads/idle';
import { WARMUP_LOGINS, measureLoginCost } from './workloads/login-cost';
import { measureOpenLoop } from './workloads/openloop';
import { measureP2p } from './workloads/p2p';

export interface CompareOptions {
  runs: number;
  seconds: number;
  warmup: number;
  bytes: number;
  idleConnections: number;
  logins: number;
  fanoutMembers: number;
  openloopRate: number;
  /**
   * Seconds of the open-loop phase (longer than `seconds`): its p99 at 1,000 msg/s over 5 s is the
   * 50th-worst of 5,000 messages, which two scheduling hiccups of this shared machine decide.
   */
  openloopSeconds: number;
}

interface Row {
  key: string;
  label: string;
  format: (v: number) => string;
}

type Figures = Record<string, number>;

interface Group {
  name: string;
  target: TargetOptions;
  run: (t: Target) => Promise<Figures>;
  /** One line of this run's figures, printed as the comparison goes. */
  line: (f: Figures) => string;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const us = (v: number) => `${v.toFixed(1)} µs`;
const kb = (v: number) => `${v.toFixed(2)} KB`;
const perS = (v: number) => `${fmt.rate(v)}/s`;

function rows(o: CompareOptions): Row[] {
  return [
    { key: 'p2p.rate', label: 'P2P with receiver ack, 200 pairs × 4 in flight: acked msg/s', format: perS },
    { key: 'p2p.cpu', label: 'gateway CPU per message (both gateways)', format: us },
    { key: 'p2p10.rate', label: 'P2P 10 pairs × 1 in flight: msg/s', format: perS },
    { key: 'open.p50', label: `P2P open loop ${o.openloopRate.toLocaleString('en')} msg/s (${o.openloopSeconds} s): p50`, format: ms },
    { key: 'open.p99', label: `P2P open loop ${o.openloopRate.toLocaleString('en')} msg/s (${o.openloopSeconds} s): p99`, format: ms },
    { key: 'fanout.rate', label: `fan-out ${o.fanoutMembers.toLocaleString('en')} members over 2 gateways: deliveries/s`, format: perS },
    { key: 'fanout.cpu', label: 'gateway CPU per delivery', format: (v) => `${v.toFixed(2)} µs` },
    { key: 'idle.rss', label: `idle connection gateway RSS per logged-in connection (${o.idleConnections})`, format: kb },
    { key: 'idle.heap', label: 'heap after GC per idle connection (V8 heap + external)', format: kb },
    { key: 'login.total', label: 'opening + logging in one connection: CPU (gateway + services + Postgres)', format: us },
    { key: 'login.gateway', label: '  of which gateways', format: us },
    { key: 'login.services', label: '  of which services (presence)', format: us },
    { key: 'login.postgres', label: '  of which Postgres backends', format: us },
    { key: 'login.cold', label: `  the ${WARMUP_LOGINS.toLocaleString('en')} warm-up logins of fresh processes (all)`, format: us },
  ];
}

function groups(o: CompareOptions): Group[] {
  const timing = { seconds: o.seconds, warmup: o.warmup, bytes: o.bytes };
  return [
    {
      name: 'p2p',
      target: { gateways: 2 },
      run: async (t) => {
        const a = await measureP2p(t, { ...timing, pairs: 200, inflight: 4, client: 'wire' });
        const b = await measureP2p(t, { ...timing, pairs: 10, inflight: 1, client: 'wire' });
        const c = await measureOpenLoop(t, { ...timing, seconds: o.openloopSeconds, rate: o.openloopRate, pairs: 50 });
        return {
          'p2p.rate': a.rate,
          'p2p.cpu': a.cpuPerMsgUs,
          'p2p10.rate': b.rate,
          'open.p50': c.p50,
          'open.p99': c.p99,
          'open.failed': a.failed + b.failed + c.failed,
        };
      },
      line: (f) =>
        `200×4 ${perS(f['p2p.rate']!)} ${us(f['p2p.cpu']!)}/msg | 10×1 ${perS(f['p2p10.rate']!)} | open loop p50 ${ms(f['open.p50']!)} p99 ${ms(f['open.p99']!)} | ${f['open.failed']} not acked`,
    },
    {
      name: 'fanout',
      target: { gateways: 2, channels: true },
      run: async (t) => {
        const r = await measureFanout(t, { ...timing, members: o.fanoutMembers, senders: 1, window: 4 });
        return { 'fanout.rate': r.deliveries / r.elapsed, 'fanout.cpu': r.cpuPerDeliveryUs, 'fanout.p99': r.p99, 'fanout.incomplete': r.incomplete };
      },
      line: (f) =>
        `${perS(f['fanout.rate']!)} deliveries, ${f['fanout.cpu']!.toFixed(2)} µs/delivery, p99 ${ms(f['fanout.p99']!)}, ${f['fanout.incomplete']} incomplete`,
    },
    {
      name: 'idle',
      target: { gateways: 1 },
      run: async (t) => {
        const p = (await measureIdle(t, { connections: o.idleConnections, checkpoints: [], settleSeconds: 5 })).points.at(-1)!;
        return { 'idle.rss': p.rssPerConnKb, 'idle.heap': p.heapPerConnKb, 'idle.cpu': p.idleCpuPct };
      },
      line: (f) => `${kb(f['idle.rss']!)} RSS, ${kb(f['idle.heap']!)} heap per connection; idle CPU ${f['idle.cpu']!.toFixed(1)}%`,
    },
    {
      name: 'login',
      target: { gateways: 2 },
      run: async (t) => {
        const r = await measureLoginCost(t, { logins: o.logins, parallel: 50 });
        return {
          'login.total': r.totalUs,
          'login.gateway': r.gatewayUs,
          'login.services': r.servicesUs,
          'login.postgres': r.postgresUs ?? NaN,
          'login.cold': r.coldUs,
        };
      },
      line: (f) =>
        `${us(f['login.total']!)} per login (gateways ${us(f['login.gateway']!)}, services ${us(f['login.services']!)}, Postgres ${us(f['login.postgres']!)}; cold ${us(f['login.cold']!)})`,
    },
  ];
}

/**
 * `npm run bench -- compare`: each workload on the baseline pipe and on Parley, alternately (the
 * order flips every run), `runs` times each, fresh processes every time; prints the medians and the
 * Parley/pipe ratio. The same lean clients drive both.
 */
export async function compare(o: CompareOptions): Promise<void> {
  const started = Date.now();
  console.log(
    `compare: ${o.runs} runs per workload and system, ${o.seconds} s measured after ${o.warmup} s warm-up, ${o.bytes}-byte messages; ` +
      `node ${process.version}, ${cpus().length} cores, load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  const fresh = () => Array.from({ length: o.runs }, (): Figures => ({}));
  const figures: Record<TargetKind, Figures[]> = { pipe: fresh(), parley: fresh() };
  const perGroup = groups(o);
  for (const g of perGroup) {
    for (let run = 0; run < o.runs; run++) {
      const order: TargetKind[] = run % 2 === 0 ? ['pipe', 'parley'] : ['parley', 'pipe'];
      for (const kind of order) {
        const target = await startTarget(kind, g.target);
        try {
          const f = await g.run(target);
          Object.assign(figures[kind][run]!, f);
          // The load average tells how much else the machine ran meanwhile (rates and latencies suffer first).
          console.log(`  [${g.name} ${run + 1}/${o.runs}] ${kind.padEnd(6)} ${g.line(f)}  (load ${loadavg()[0]!.toFixed(1)})`);
        } finally {
          await target.stop();
        }
      }
    }
  }
  const values = (kind: TargetKind, key: string) => figures[kind].map((f) => f[key]!).filter((v) => Number.isFinite(v));
  const body = rows(o).map((r) => {
    const pipe = values('pipe', r.key);
    const parley = values('parley', r.key);
    const [mp, mq] = [median(pipe), median(parley)];
    const cell = (v: number) => (Number.isFinite(v) ? r.format(v) : '—');
    const ratio = Number.isFinite(mp) && Number.isFinite(mq) && mp > 0 ? `${(mq / mp).toFixed(2)}×` : '—';
    return [r.label, cell(mp), cell(mq), ratio, `${pipe.map(r.format).join(', ')} | ${parley.map(r.format).join(', ')}`];
  });
  console.log(`\ncompare: medians of ${o.runs} runs (Parley/pipe: above 1 = Parley is higher — slower for latency, CPU and memory; faster for rates)`);
  console.log(grid(['row', 'pipe', 'Parley', 'Parley/pipe', 'runs (pipe | Parley)'], body));
  console.log('  rates and latencies move with whatever else the machine runs; CPU per operation and memory per connection much less.');
  console.log(
    `  load average now ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}; ${((Date.now() - started) / 60_000).toFixed(1)} min in all`,
  );
}
