/**
 * The login storm of `logins`, in a worker thread of its own: thousands of WebSocket handshakes a
 * second keep an event loop busy, and the P2P traffic measured during the storm (main thread) must not
 * wait behind them, or its p99 measures the load generator instead of the servers.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { sleep } from '../lib/time';

export interface StormWorkerInput {
  urls: string[];
  appId: string;
  tag: string;
  rate: number;
  seconds: number;
  inProgressMax: number;
}

export interface StormWorkerResult {
  ok: number;
  failed: number;
  behind: number;
  latencies: number[];
}

const WARMUP_LOGINS = 200;

function next(): Promise<unknown> {
  return new Promise((resolve) => parentPort!.once('message', resolve));
}

/** Warms up (this thread compiles its own code), says 'ready', storms at 'go', posts its figures, closes at 'close'. */
async function storm(o: StormWorkerInput): Promise<void> {
  const clients: LeanClient[] = [];
  for (let i = 0; i < WARMUP_LOGINS; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => loginLean(o.urls[k % o.urls.length]!, o.appId, `stormwarm${i + k}-${o.tag}`)))));
  }
  parentPort!.postMessage('ready');
  await next();
  let inProgress = 0;
  let started = 0;
  let ok = 0;
  let failed = 0;
  let behind = 0;
  let storming = true;
  const latencies: number[] = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * o.rate);
    for (; started < due; started++) {
      if (inProgress >= o.inProgressMax) {
        behind++;
        continue;
      }
      const i = started;
      const dueAt = t0 + (i * 1000) / o.rate;
      inProgress++;
      loginLean(o.urls[i % o.urls.length]!, o.appId, `storm${i}-${o.tag}`).then(
        (c) => {
          inProgress--;
          clients.push(c);
          if (!storming) return;
          ok++;
          latencies.push(performance.now() - dueAt);
        },
        () => {
          inProgress--;
          if (storming) failed++;
        },
      );
    }
  }, 1);
  await sleep(o.seconds * 1000);
  clearInterval(timer);
  storming = false;
  const result: StormWorkerResult = { ok, failed, behind, latencies };
  parentPort!.postMessage(result);
  // The storm's sessions stay open until the main thread has read its figures, then all close.
  await next();
  const deadline = Date.now() + 15_000;
  while (inProgress > 0 && Date.now() < deadline) await sleep(20);
  for (const c of clients) c.close();
  parentPort!.postMessage('closed');
}

void storm(workerData as StormWorkerInput);
