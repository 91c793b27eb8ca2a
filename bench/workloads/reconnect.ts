import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Op } from '@parley/contracts';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { OPEN_FILES_HEADROOM, openFilesLimit } from '../lib/proc-stats';
import { percentiles, table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface ReconnectOptions {
  sessions: number;
  /** Give up waiting after this long, s. */
  timeoutSeconds: number;
}

export interface ReconnectResult {
  sessions: number;
  back: number;
  /** Sessions logged in again in each second after the kill. */
  perSecond: number[];
  /** From the kill to the last session back, s. */
  totalSeconds: number;
  attempts: number;
  failures: Map<string, number>;
  /** Where the clients' time went, ms: before their successful attempt (backoffs, failed attempts), its handshake (connect + 101), its LOGIN. */
  phases: { before: number[]; handshake: number[]; login: number[] };
  /** CPU per session back, µs, from the kill until the last came back: the surviving gateway, the services, Postgres (null: not visible). */
  cpuPerSession: { gateway: number; services: number; postgres: number | null };
  /** Parley: a sample of the uids asked through QUERY_ONLINE after the run: [online, asked]. */
  onlineSample?: [number, number];
}

/** The SDK's reconnect timers (libs/sdk connection/timers.ts, backoff.ts): jittered doubling from 300 ms to 5 s. */
const BACKOFF_INITIAL_MS = 300;
const BACKOFF_MAX_MS = 5_000;
const backoff = (attempt: number) => {
  const d = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(attempt, 30));
  return d / 2 + Math.random() * (d / 2);
};

/**
 * A gateway holding N sessions is SIGKILLed; every client reconnects like the SDK does (same
 * instanceId, reconnect: true, jittered backoff, the next URL of its list after a failure) and the
 * curve of sessions logged in again (ONLINE: the LOGIN answer comes after presence registered it) is
 * recorded until all are back.
 */
export async function measureReconnect(target: Target, o: ReconnectOptions): Promise<ReconnectResult> {
  const limit = openFilesLimit();
  if (o.sessions + OPEN_FILES_HEADROOM > limit) {
    throw new Error(`--sessions ${o.sessions} needs more open files than this machine's limit (${limit}; ulimit -n): a gateway holds one per socket`);
  }
  const urls = target.urls;
  const tag = randomBytes(3).toString('hex');
  const uids = Array.from({ length: o.sessions }, (_, i) => `rc${i}-${tag}`);
  const instanceIds = uids.map(() => randomBytes(6).toString('hex'));
  const clients: Array<LeanClient | undefined> = new Array(o.sessions);
  let next = 0;
  const worker = async () => {
    while (next < o.sessions) {
      const i = next++;
      clients[i] = await loginLean(urls[0]!, target.appId, uids[i]!, { instanceId: instanceIds[i] });
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  await sleep(2_000);

  const perSecond: number[] = [];
  const failures = new Map<string, number>();
  let back = 0;
  let attempts = 0;
  let last = 0;
  let killedAt = 0;
  let stopped = false;
  const phases: ReconnectResult['phases'] = { before: [], handshake: [], login: [] };
  const reconnect = async (i: number) => {
    let url = 0; // the SDK retries its current URL first, and moves on after each failure
    for (let attempt = 0; !stopped; attempt++) {
      await sleep(backoff(attempt));
      attempts++;
      const began = performance.now();
      let opened = began;
      try {
        clients[i] = await loginLean(urls[url]!, target.appId, uids[i]!, {
          instanceId: instanceIds[i],
          reconnect: true,
          onOpen: () => (opened = performance.now()),
        });
        const now = performance.now();
        phases.before.push(began - killedAt);
        phases.handshake.push(opened - began);
        phases.login.push(now - opened);
        const t = now - killedAt;
        perSecond[Math.floor(t / 1000)] = (perSecond[Math.floor(t / 1000)] ?? 0) + 1;
        last = Math.max(last, t);
        back++;
        return;
      } catch (err) {
        const why = ((err as Error).message ?? String(err)).replace(/login of \S+ /, '').replace(/\d+\.\d+\.\d+\.\d+:\d+/, '<addr>');
        failures.set(why, (failures.get(why) ?? 0) + 1);
        url = (url + 1) % urls.length;
      }
    }
  };
  const reconnects: Array<Promise<void>> = [];
  for (let i = 0; i < o.sessions; i++) clients[i]!.onClose = () => reconnects.push(reconnect(i));
  const cpu0 = target.cpu();
  killedAt = performance.now();
  await target.killGateway(0);
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  while (back < o.sessions && Date.now() < deadline) await sleep(100);
  const spent = cpuSpent(cpu0, target.cpu());
  stopped = true;
  await Promise.all(reconnects);

  let onlineSample: [number, number] | undefined;
  if (target.kind === 'parley' && back > 0) {
    const probe = clients.find((c) => c && !c.closed)!;
    const sample = uids.slice(0, 256);
    const [code, data] = await probe.request(Op.QUERY_ONLINE, { uids: sample });
    if (code === 0) onlineSample = [(data as boolean[]).filter(Boolean).length, sample.length];
  }
  for (const c of clients) c?.close();
  for (let s = 0; s < perSecond.length; s++) perSecond[s] ??= 0;
  const per = (ms: number) => (back ? (ms * 1000) / back : NaN);
  const cpuPerSession = { gateway: per(spent.perGateway[1]!), services: per(spent.services), postgres: spent.postgres === null ? null : per(spent.postgres) };
  return { sessions: o.sessions, back, perSecond, totalSeconds: last / 1000, attempts, failures, phases, cpuPerSession, onlineSample };
}

export function printReconnect(target: Target, r: ReconnectResult): void {
  console.log(`\nreconnect (${target.kind}): gateway 0 with ${r.sessions} sessions SIGKILLed; clients reconnect like the SDK to gateway 1`);
  let total = 0;
  console.log(
    table([
      ...r.perSecond.map((n, s): [string, string] => {
        total += n;
        return [`${s}–${s + 1} s`, `${String(n).padStart(6)} back  (${total}, ${((total / r.sessions) * 100).toFixed(1)}%)`];
      }),
      [
        'all back',
        r.back === r.sessions ? `${r.totalSeconds.toFixed(2)} s after the kill` : `NO: ${r.back} of ${r.sessions} in ${r.totalSeconds.toFixed(1)} s`,
      ],
      ['attempts', `${r.attempts} (${r.attempts - r.back} failed${r.failures.size ? ': ' + [...r.failures].map(([k, v]) => `${v}× ${k}`).join('; ') : ''})`],
      ...(['before', 'handshake', 'login'] as const).map((phase): [string, string] => {
        const p = percentiles(r.phases[phase]);
        const what = { before: 'successful attempt began', handshake: '… its handshake', login: '… its LOGIN' }[phase];
        return [what, `p50 ${p.p50.toFixed(0)} ms, p99 ${p.p99.toFixed(0)} ms, max ${p.max.toFixed(0)} ms`];
      }),
      [
        'CPU per session back',
        `gateway ${r.cpuPerSession.gateway.toFixed(0)} µs, services ${r.cpuPerSession.services.toFixed(0)} µs, Postgres ${r.cpuPerSession.postgres === null ? '?' : r.cpuPerSession.postgres.toFixed(0)} µs (kill → last back)`,
      ],
      ...(r.onlineSample ? [['QUERY_ONLINE check', `${r.onlineSample[0]} of ${r.onlineSample[1]} sampled uids ONLINE`] as [string, string]] : []),
    ]),
  );
}
