import { randomBytes } from 'node:crypto';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { OPEN_FILES_HEADROOM, openFilesLimit, rssKb } from '../lib/proc-stats';
import { table } from '../lib/report';
import { cpuSpent, type Target } from '../lib/target';
import { sleep } from '../lib/time';

export interface IdleOptions {
  connections: number;
  /** Also measure at these counts on the way (e.g. 10000 on the way to 50000). */
  checkpoints: number[];
  /** Idle time before each measurement (heartbeats flow), and the window of the idle CPU figure, s. */
  settleSeconds: number;
}

export interface IdlePoint {
  connections: number;
  rssKb: number;
  heapBytes: number;
  /** RSS growth per connection since the warm baseline (taken after a full GC), KB. */
  rssPerConnKb: number;
  /** The same right after two full GCs (what the connections hold, not garbage or GC slack), KB. */
  rssAfterGcPerConnKb: number;
  /** V8 heap committed and its young generation, bytes (after the GCs). */
  heapCommitted: number;
  newSpace: number;
  /** Heap (V8 heap + external, after GC) growth per connection, KB. */
  heapPerConnKb: number;
  /** The gateway's CPU while the connections idled (heartbeats only), % of one core. */
  idleCpuPct: number;
}

export interface IdleResult {
  points: IdlePoint[];
  /** Set when the open-files limit kept the run below the connections asked for. */
  cappedBy?: string;
}

/** Memory of idle logged-in connections on one gateway: growth over a warm baseline, per connection. */
export async function measureIdle(target: Target, o: IdleOptions): Promise<IdleResult> {
  const url = target.urls[0]!;
  const pid = target.gatewayPids[0]!;
  const limit = openFilesLimit();
  let wanted = o.connections;
  let cappedBy: string | undefined;
  if (wanted + OPEN_FILES_HEADROOM > limit) {
    wanted = limit - OPEN_FILES_HEADROOM;
    cappedBy = `open-files limit ${limit} (ulimit -n; the gateway and this process each hold one file per socket): stopped at ${wanted} of ${o.connections}`;
  }
  const tag = randomBytes(3).toString('hex');
  const clients: LeanClient[] = [];
  const loginUpTo = async (n: number) => {
    let next = clients.length;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        clients[i] = await loginLean(url, target.appId, `idle${i}-${tag}`);
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
  };
  try {
    // Warm the gateway up (code paths, buffers) with a few sessions first, then take the baseline.
    await loginUpTo(50);
    await sleep(2_000);
    // The baseline after a full GC (heap() runs one): start-up garbage not yet swept, or a young
    // generation not yet shrunk, would otherwise be freed while the connections log in and make
    // their growth look smaller — below zero at 2,000 connections with --single-threaded-gc.
    const heap0 = await target.heap(0);
    const rss0 = rssKb(pid);
    const base = clients.length;
    const points: IdlePoint[] = [];
    const stops = [...new Set([...o.checkpoints.filter((c) => c < wanted), wanted])].sort((a, b) => a - b);
    for (const n of stops) {
      await loginUpTo(base + n);
      const cpu0 = target.cpu();
      await sleep(o.settleSeconds * 1000);
      const cpu = cpuSpent(cpu0, target.cpu());
      const rss = rssKb(pid);
      const heap = await target.heap(0);
      points.push({
        connections: n,
        rssKb: rss,
        heapBytes: heap.heapUsed + heap.external,
        rssPerConnKb: (rss - rss0) / n,
        rssAfterGcPerConnKb: (heap.rss - heap0.rss) / 1024 / n,
        heapCommitted: heap.heapCommitted ?? 0,
        newSpace: heap.newSpace ?? 0,
        heapPerConnKb: (heap.heapUsed + heap.external - heap0.heapUsed - heap0.external) / 1024 / n,
        idleCpuPct: cpu.perGateway[0]! / 10 / cpu.seconds,
      });
    }
    return { points, cappedBy };
  } finally {
    for (const c of clients) c?.close();
  }
}

export function printIdle(target: Target, o: IdleOptions, r: IdleResult): void {
  console.log(`\nidle (${target.kind}): logged-in lean connections on one gateway, heartbeats only (${o.settleSeconds} s idle before each figure)`);
  if (r.cappedBy) console.log(`  note: ${r.cappedBy}`);
  console.log(
    table(
      r.points.flatMap((p): Array<[string, string]> => [
        [`${p.connections} connections`, `RSS ${(p.rssKb / 1024).toFixed(1)} MB, ${p.rssPerConnKb.toFixed(2)} KB per connection`],
        [
          '  after a full GC',
          `RSS ${p.rssAfterGcPerConnKb.toFixed(2)} KB per connection (V8 heap committed ${(p.heapCommitted / 1048576).toFixed(1)} MB, young generation ${(p.newSpace / 1048576).toFixed(1)} MB)`,
        ],
        ['  heap after GC', `${(p.heapBytes / 1048576).toFixed(1)} MB, ${p.heapPerConnKb.toFixed(2)} KB per connection (V8 heap + external)`],
        ['  idle gateway CPU', `${p.idleCpuPct.toFixed(1)}% of a core over ${o.settleSeconds} s`],
      ]),
    ),
  );
}
