import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createCustomerCredential, createTestApp, Stack } from '@parley/testing';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { cpuMs } from '../lib/proc-stats';
import { fmt, percentiles, table } from '../lib/report';
import { sleep } from '../lib/time';

export interface ApiBenchOptions {
  seconds: number;
  warmup: number;
  /** Receivers logged in over the two gateways. */
  receivers: number;
  /** Requests in flight at once (HTTP keep-alive connections). */
  concurrency: number;
}

interface ApiRun {
  waitForAck: boolean;
  requests: number;
  errors: number;
  elapsed: number;
  latencies: number[];
  /** CPU µs per request: the API replicas, and everything else (gateways, presence). */
  apiUs: number;
  restUs: number;
}

/**
 * `npm run bench -- api`: REST peer sends (Agora's peer_messages) through two API replicas to
 * logged-in receivers on two gateways, with wait_for_ack=false and =true: requests/s, p50/p99 and CPU
 * per request. A fixed number of requests in flight over keep-alive connections, alternating replicas.
 */
export async function benchApi(o: ApiBenchOptions): Promise<void> {
  const stack = await Stack.start({
    replicas: { gateway: 2, presence: 1, api: 2 },
    env: { LOG_LEVEL: 'warn', MESSAGE_RATE: '1000000/3000' },
    appEnv: {
      api: {
        API_SEND_RATE: '100000000/1000',
        // PARLEY_BENCH_PROFILE=<dir>: V8 CPU profiles of the API replicas too.
        ...(process.env['PARLEY_BENCH_PROFILE'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env['PARLEY_BENCH_PROFILE']}` } : {}),
      },
    },
  });
  const clients: LeanClient[] = [];
  try {
    const app = await createTestApp();
    const cred = await createCustomerCredential({ appIds: [app.appId] });
    const tag = randomBytes(3).toString('hex');
    const uids = Array.from({ length: o.receivers }, (_, i) => `r${i}-${tag}`);
    for (let i = 0; i < uids.length; i += 50) {
      clients.push(...(await Promise.all(uids.slice(i, i + 50).map((uid, j) => loginLean(stack.gatewayUrls[(i + j) % 2]!, app.appId, uid)))));
    }
    const apiPids = stack.processes.filter((p) => p.app === 'api').map((p) => p.child.pid!);
    const otherPids = stack.processes.filter((p) => p.app !== 'api').map((p) => p.child.pid!);
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
    const bases = stack.apiUrls.map((u) => new URL(u));
    const runs: ApiRun[] = [];
    for (const waitForAck of [false, true]) {
      let n = 0;
      const send = () =>
        new Promise<number>((resolve, reject) => {
          const base = bases[n % bases.length]!;
          const to = uids[n++ % uids.length]!;
          const body = JSON.stringify({ destination: to, payload: 'x'.repeat(64) });
          const t0 = performance.now();
          const req = request(
            {
              agent,
              host: base.hostname,
              port: base.port,
              method: 'POST',
              path: `/dev/v2/project/${app.appId}/rtm/users/bench/peer_messages?wait_for_ack=${waitForAck}`,
              headers: { authorization: cred.basic, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              res.resume();
              res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const drive = async (untilMs: number, record: boolean, out: { latencies: number[]; errors: number; count: number }) => {
        const worker = async () => {
          while (performance.now() < untilMs) {
            try {
              const ms = await send();
              if (record) {
                out.latencies.push(ms);
                out.count++;
              }
            } catch {
              if (record) out.errors++;
            }
          }
        };
        await Promise.all(Array.from({ length: o.concurrency }, worker));
      };
      await drive(performance.now() + o.warmup * 1000, false, { latencies: [], errors: 0, count: 0 });
      const api0 = apiPids.reduce((s, p) => s + cpuMs(p), 0);
      const rest0 = otherPids.reduce((s, p) => s + cpuMs(p), 0);
      const t0 = performance.now();
      const out = { latencies: [] as number[], errors: 0, count: 0 };
      await drive(t0 + o.seconds * 1000, true, out);
      const elapsed = (performance.now() - t0) / 1000;
      await sleep(200);
      const api = apiPids.reduce((s, p) => s + cpuMs(p), 0) - api0;
      const rest = otherPids.reduce((s, p) => s + cpuMs(p), 0) - rest0;
      runs.push({
        waitForAck,
        requests: out.count,
        errors: out.errors,
        elapsed,
        latencies: out.latencies,
        apiUs: (api * 1000) / out.count,
        restUs: (rest * 1000) / out.count,
      });
    }
    agent.destroy();
    console.log(`\nserver API: REST peer sends over 2 API replicas to ${o.receivers} receivers on 2 gateways, ${o.concurrency} in flight, ${o.seconds} s`);
    for (const r of runs) {
      const p = percentiles(r.latencies);
      console.log(`\n wait_for_ack=${r.waitForAck}`);
      console.log(
        table([
          ['requests/s', `${fmt.rate(r.requests / r.elapsed)} (${r.requests} ok, ${r.errors} failed)`],
          ['latency p50 / p99 / max', `${fmt.ms(p.p50)} / ${fmt.ms(p.p99)} / ${fmt.ms(p.max)}`],
          ['CPU / request, API replicas', `${r.apiUs.toFixed(0)} µs`],
          ['CPU / request, gateways + presence', `${r.restUs.toFixed(0)} µs`],
        ]),
      );
    }
  } finally {
    for (const c of clients) c.close();
    await stack.stop();
  }
}
