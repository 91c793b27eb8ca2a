import { createTestApp, Stack } from '@parley/testing';
import { loginMany, logoutMany, type ClientKind } from './lib/clients';
import { rssKb } from './lib/proc-stats';
import { table } from './lib/report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Memory of idle logged-in connections: one gateway's RSS growth divided by the connections it holds. */
export async function idle(o: { connections: number; client: ClientKind }): Promise<void> {
  const extra = process.env['PARLEY_BENCH_GATEWAY_ENV'] ? (JSON.parse(process.env['PARLEY_BENCH_GATEWAY_ENV']) as Record<string, string>) : {};
  const stack = await Stack.start({ replicas: { gateway: 1, presence: 1 }, env: { LOG_LEVEL: 'warn' }, appEnv: { gateway: extra } });
  try {
    const app = await createTestApp();
    const gw = stack.gateways[0]!;
    const pid = gw.child.pid!;
    // Warm the gateway up (code paths, buffers) with a few sessions first, then take the baseline.
    const warm = await loginMany(
      o.client,
      app.appId,
      Array.from({ length: 50 }, (_, i) => `w${i}`),
      () => gw.url,
    );
    await sleep(2_000);
    const before = rssKb(pid);
    const clients = await loginMany(
      o.client,
      app.appId,
      Array.from({ length: o.connections }, (_, i) => `idle${i}`),
      () => gw.url,
      { parallel: 100 },
    );
    await sleep(5_000); // a few heartbeats
    const after = rssKb(pid);
    console.log(`\nidle: ${o.connections} logged-in ${o.client} connections on one gateway`);
    console.log(
      table([
        ['gateway RSS', `${(before / 1024).toFixed(1)} MB → ${(after / 1024).toFixed(1)} MB`],
        ['per connection', `${((after - before) / o.connections).toFixed(1)} KB`],
      ]),
    );
    await logoutMany([...clients, ...warm]);
  } finally {
    await stack.stop();
  }
}
