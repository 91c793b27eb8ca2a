import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { OPEN_FILES_HEADROOM, openFilesLimit } from '../lib/proc-stats';
import { fmt, percentiles, table } from '../lib/report';
import { cpuSpent, type CpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';
import type { StormWorkerInput, StormWorkerResult } from './login-storm-worker';
import { OpenLoopTraffic, type OpenLoopFigures } from './openloop';

export interface LoginStormOptions {
  /** Logins per second asked for (new sockets, spread over the gateways). */
  rate: number;
  seconds: number;
  warmup: number;
  /** Background peer messages per second (open loop) during both phases. */
  p2pRate: number;
  pairs: number;
  bytes: number;
}

/** Logins in progress at once; a storm beyond what the server answers is counted as behind, not queued without bound. */
const IN_PROGRESS_MAX = 2_000;
const WARMUP_LOGINS = 200;

export interface LoginStormResult {
  quiet: { cpu: CpuSpent; p2p: OpenLoopFigures };
  storm: { cpu: CpuSpent; p2p: OpenLoopFigures };
  loginsOk: number;
  loginsFailed: number;
  /** Logins due but not started: IN_PROGRESS_MAX were waiting already. */
  behind: number;
  loginP50: number;
  loginP99: number;
  /** The storm's sessions closed at once (a network drop): CPU until presence had written them UNREACHABLE. */
  disconnect: { cpu: CpuSpent; sessions: number };
}

/** Waits until the services' CPU stops rising (what the last event set off is done), at most `maxMs`. */
async function untilServicesQuiet(target: Target, maxMs = 20_000): Promise<void> {
  const end = Date.now() + maxMs;
  let last = target.cpu().services;
  while (Date.now() < end) {
    await sleep(500);
    const now = target.cpu().services;
    if (now - last < 10) return;
    last = now;
  }
}

/** Tells the storm's worker to close its sessions and waits for it (at most 20 s). */
async function closeStorm(worker: Worker): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    worker.on('message', (m) => m === 'closed' && resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage('close');
  await Promise.race([closed, sleep(20_000)]);
  await worker.terminate();
}

/**
 * A login storm through the gateways while peer messages flow: a quiet phase (messages only), then
 * the same with `rate` logins/s. CPU per login is the storm phase's CPU minus the quiet phase's, per
 * login that completed. The storm runs in a worker thread (login-storm-worker.ts), so the traffic's
 * latencies are not the load generator's own queue behind thousands of handshakes.
 */
export async function measureLoginStorm(target: Target, o: LoginStormOptions): Promise<LoginStormResult> {
  const urls = target.urls;
  // Every session of the storm stays open until its end: this process holds one file per socket.
  const sockets = Math.ceil(o.rate * o.seconds) + WARMUP_LOGINS + 2 * o.pairs;
  const limit = openFilesLimit();
  if (sockets + OPEN_FILES_HEADROOM > limit) {
    throw new Error(
      `--rate ${o.rate} × --seconds ${o.seconds} keeps ${sockets} sockets open, beyond this machine's open-files limit (${limit}; ulimit -n): shorten --seconds`,
    );
  }
  const tag = randomBytes(3).toString('hex');
  const traffic = await OpenLoopTraffic.start(target, { rate: o.p2pRate, pairs: o.pairs, bytes: o.bytes });
  const clients: LeanClient[] = [];
  let worker: Worker | undefined;
  try {
    // The first logins of a fresh process pay for compiling their code paths: not part of a storm's cost.
    for (let i = 0; i < WARMUP_LOGINS; i += 50) {
      clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => loginLean(urls[k % urls.length]!, target.appId, `warm${i + k}-${tag}`)))));
    }
    const input: StormWorkerInput = { urls, appId: target.appId, tag, rate: o.rate, seconds: o.seconds, inProgressMax: IN_PROGRESS_MAX };
    worker = new Worker(join(__dirname, 'login-storm-worker.ts'), { workerData: input });
    const failed = new Promise<never>((_, reject) => worker!.once('error', reject));
    const reply = () => Promise.race([new Promise<unknown>((resolve) => worker!.once('message', resolve)), failed]);
    await reply(); // 'ready': warmed up
    await sleep(o.warmup * 1000);
    traffic.mark();
    const q0 = target.cpu();
    await sleep(o.seconds * 1000);
    const quiet = { cpu: cpuSpent(q0, target.cpu()), p2p: traffic.figures() };

    traffic.mark();
    const s0 = target.cpu();
    worker.postMessage('go');
    const r = (await reply()) as StormWorkerResult;
    const storm = { cpu: cpuSpent(s0, target.cpu()), p2p: traffic.figures() };
    const { p50, p99 } = percentiles(r.latencies);
    // Every session of the storm closes at once (a network drop between clients and gateways): each
    // gateway reports them to presence, which writes them UNREACHABLE.
    const d0 = target.cpu();
    const closing = worker;
    worker = undefined;
    await closeStorm(closing);
    await untilServicesQuiet(target);
    const disconnect = { cpu: cpuSpent(d0, target.cpu()), sessions: r.ok };
    return { quiet, storm, loginsOk: r.ok, loginsFailed: r.failed, behind: r.behind, loginP50: p50, loginP99: p99, disconnect };
  } finally {
    if (worker) await closeStorm(worker);
    await traffic.stop();
    for (const c of clients) c.close();
  }
}

export function printLoginStorm(target: Target, o: LoginStormOptions, r: LoginStormResult): void {
  const perLogin = (storm: number | null, quiet: number | null) => perEvent(storm, quiet, r.storm.cpu.seconds, r.quiet.cpu.seconds, r.loginsOk);
  const pct = (ms: number | null, seconds: number) => (ms === null ? '?' : `${(ms / 10 / seconds).toFixed(0)}%`);
  const cpu = (v: number | null, quiet: number | null, storm: number | null, none: string) =>
    v === null ? none : `${v.toFixed(0)} µs  (CPU ${pct(quiet, r.quiet.cpu.seconds)} quiet → ${pct(storm, r.storm.cpu.seconds)} storm)`;
  const gw = cpu(perLogin(r.storm.cpu.gateways, r.quiet.cpu.gateways), r.quiet.cpu.gateways, r.storm.cpu.gateways, '?');
  const svc = cpu(perLogin(r.storm.cpu.services, r.quiet.cpu.services), r.quiet.cpu.services, r.storm.cpu.services, '?');
  const pg = cpu(
    perLogin(r.storm.cpu.postgres, r.quiet.cpu.postgres),
    r.quiet.cpu.postgres,
    r.storm.cpu.postgres,
    'not measured (no Postgres process visible)',
  );
  const p2p = (f: OpenLoopFigures) => `p50 ${fmt.ms(f.p50)}  p99 ${fmt.ms(f.p99)}  max ${fmt.ms(f.max)} (${f.acked} acked, ${f.failed} not)`;
  console.log(
    `\nlogins (${target.kind}): ${o.rate} logins/s asked for over ${target.urls.length} gateways for ${o.seconds} s, while ${o.p2pRate} peer msg/s flow (open loop)`,
  );
  console.log(
    table([
      [
        'logins achieved',
        `${(r.loginsOk / r.storm.cpu.seconds).toFixed(0)}/s (${r.loginsOk} ok, ${r.loginsFailed} failed, ${r.behind} not started: ${IN_PROGRESS_MAX} waiting; after ${WARMUP_LOGINS} warm-up logins)`,
      ],
      ['login latency', `p50 ${fmt.ms(r.loginP50)}  p99 ${fmt.ms(r.loginP99)} (from due time to LOGIN answered)`],
      ['CPU / login, gateways', gw],
      ['CPU / login, presence', target.kind === 'pipe' ? 'none (the pipe has no services)' : svc],
      ['CPU / login, Postgres', target.kind === 'pipe' ? 'none (no database)' : pg],
      ['P2P before the storm', p2p(r.quiet.p2p)],
      ['P2P during the storm', p2p(r.storm.p2p)],
      ['sessions closed at once', closedLine(target, r)],
    ]),
  );
}

/**
 * CPU µs per event of a phase: what it spent (ms over `seconds`) minus what the quiet phase spent in
 * as long, over `events`. Not clipped: a negative figure means the machine's noise is larger than the cost.
 */
function perEvent(spent: number | null, quiet: number | null, seconds: number, quietSeconds: number, events: number): number | null {
  return spent === null || quiet === null ? null : ((spent - (quiet * seconds) / quietSeconds) * 1000) / Math.max(1, events);
}

/** CPU per session when the storm's sessions all closed at once, the quiet phase's rate taken off. */
function closedLine(target: Target, r: LoginStormResult): string {
  const d = r.disconnect;
  const per = (spent: number | null, quiet: number | null) => {
    const us = perEvent(spent, quiet, d.cpu.seconds, r.quiet.cpu.seconds, d.sessions);
    return us === null ? '?' : `${us.toFixed(0)} µs`;
  };
  const head = `${d.sessions} in ${d.cpu.seconds.toFixed(1)} s until the services were quiet; per session: gateways ${per(d.cpu.gateways, r.quiet.cpu.gateways)}`;
  if (target.kind === 'pipe') return head;
  return `${head}, presence ${per(d.cpu.services, r.quiet.cpu.services)}, Postgres ${per(d.cpu.postgres, r.quiet.cpu.postgres)} (each written UNREACHABLE)`;
}
