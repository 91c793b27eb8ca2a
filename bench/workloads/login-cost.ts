import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface LoginCostOptions {
  logins: number;
  /** Logins in progress at once. */
  parallel: number;
  /** Logins before the measured ones (default WARMUP_LOGINS). */
  warmup?: number;
}

export interface LoginCostResult {
  logins: number;
  elapsed: number;
  /** CPU µs per login (socket open + LOGIN answered), the idle background subtracted. */
  gatewayUs: number;
  servicesUs: number;
  postgresUs: number | null;
  totalUs: number;
  /** The warm-up's figure: CPU µs per login (all processes) of the first logins of fresh processes. */
  coldUs: number;
  warmup: number;
}

const BACKGROUND_S = 2;
/**
 * Logins before the measured ones. A login's code paths run once per login, so V8 optimizes them
 * only after a few thousand: with 200 warm-up logins the next 1,000 cost 1.3 ms each, after 2,000
 * they cost 0.6–0.75 ms (the figure a gateway that has been up a while pays). The warm-up's own
 * figure is printed as the cold one.
 */
export const WARMUP_LOGINS = 2000;

/** CPU one opening + logging in of a connection costs: gateways, services and the bench database's Postgres backends. */
export async function measureLoginCost(target: Target, o: LoginCostOptions): Promise<LoginCostResult> {
  const urls = target.urls;
  const tag = randomBytes(3).toString('hex');
  const clients: LeanClient[] = [];
  const loginAll = async (n: number, from: number) => {
    let next = from;
    const worker = async () => {
      while (next < from + n) {
        const i = next++;
        clients[i] = await loginLean(urls[i % urls.length]!, target.appId, `login${i}-${tag}`);
      }
    };
    await Promise.all(Array.from({ length: o.parallel }, worker));
  };
  const warmup = o.warmup ?? WARMUP_LOGINS;
  try {
    // Warm-up: the first logins of a fresh process pay for compiling and optimizing their code paths.
    const cold0 = target.cpu();
    await loginAll(warmup, 0);
    const cold = cpuSpent(cold0, target.cpu());
    // What the processes spend doing nothing (timers, heartbeats to presence, the open sessions' pings):
    // taken off the logins' figure. The sessions' pings grow with every login, so the background is
    // measured before and after (all sessions open) and its mean taken off.
    const idle0 = target.cpu();
    await sleep(BACKGROUND_S * 1000);
    const before = cpuSpent(idle0, target.cpu());
    const cpu0 = target.cpu();
    const t0 = performance.now();
    await loginAll(o.logins, warmup);
    await sleep(300); // work the logins set off after their answer (presence writes, …)
    const spent = cpuSpent(cpu0, target.cpu());
    const elapsed = (performance.now() - t0) / 1000;
    const idle1 = target.cpu();
    await sleep(BACKGROUND_S * 1000);
    const after = cpuSpent(idle1, target.cpu());
    const rate = (b: number | null, a: number | null) => (b === null || a === null ? null : (b / before.seconds + a / after.seconds) / 2);
    const per = (total: number | null, background: number | null) =>
      total === null || background === null ? null : (Math.max(0, total - background * spent.seconds) * 1000) / o.logins;
    const gatewayUs = per(spent.gateways, rate(before.gateways, after.gateways))!;
    const servicesUs = per(spent.services, rate(before.services, after.services))!;
    const postgresUs = per(spent.postgres, rate(before.postgres, after.postgres));
    const coldUs = ((cold.gateways + cold.services + (cold.postgres ?? 0)) * 1000) / warmup;
    return { logins: o.logins, elapsed, gatewayUs, servicesUs, postgresUs, totalUs: gatewayUs + servicesUs + (postgresUs ?? 0), coldUs, warmup };
  } finally {
    for (const c of clients) c?.close();
  }
}

export function loginCostRows(target: Target, r: LoginCostResult): Array<[string, string]> {
  return [
    ['logins', `${r.logins} in ${r.elapsed.toFixed(1)} s (${(r.logins / r.elapsed).toFixed(0)}/s)`],
    ['CPU / login, gateways', `${r.gatewayUs.toFixed(0)} µs`],
    [
      'CPU / login, services',
      target.kind === 'pipe' ? 'none (the pipe has no services)' : `${r.servicesUs.toFixed(0)} µs (presence, plus channel when it runs)`,
    ],
    [
      'CPU / login, Postgres',
      target.kind === 'pipe' ? 'none (no database)' : r.postgresUs === null ? 'not measured (no Postgres process visible)' : `${r.postgresUs.toFixed(0)} µs`,
    ],
    ['CPU / login, total', `${r.totalUs.toFixed(0)} µs`],
    [`cold: the ${r.warmup} warm-up logins`, `${r.coldUs.toFixed(0)} µs each (all processes, fresh: compiling and optimizing)`],
  ];
}

export function printLoginCost(target: Target, o: LoginCostOptions, r: LoginCostResult): void {
  console.log(
    `\nlogin cost (${target.kind}): ${o.logins} connections opened and logged in (after ${o.warmup ?? WARMUP_LOGINS} for warm-up), ${o.parallel} at a time, over ${target.urls.length} gateways`,
  );
  console.log(table(loginCostRows(target, r)));
}
