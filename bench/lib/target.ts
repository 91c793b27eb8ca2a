import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, Stack, testDatabaseUrl, workspaceRoot } from '@parley/testing';
import { PipeStack } from '../baseline/pipe-stack';
import { cpuMs, heapAfterGc, postgresBackendsCpu, postgresSpent, type HeapFigures } from './proc-stats';

/** What a workload runs against: Parley's real processes, or the baseline pipe (bench/baseline). */
export type TargetKind = 'parley' | 'pipe';

export interface TargetOptions {
  gateways: number;
  /** Parley: also run the channel service (channel workloads). */
  channels?: boolean;
  /** Parley: also run two history replicas (the history bench). */
  history?: boolean;
  /** Parley: also run the invitation service (a reconnecting login asks it for the user's open invitations). */
  invitations?: boolean;
}

export interface CpuSample {
  at: number;
  gateways: number[];
  services: number;
  postgres: Map<number, number> | null;
}

/** CPU ms spent between two samples; postgres null when its processes are not visible here. */
export interface CpuSpent {
  seconds: number;
  perGateway: number[];
  gateways: number;
  services: number;
  postgres: number | null;
}

export interface Target {
  readonly kind: TargetKind;
  readonly appId: string;
  /** Parley: the running stack (its subject prefix and processes). */
  readonly stack?: Stack;
  /** WebSocket URLs of the gateways by index, as started (a killed one's stays: clients fail over from it). */
  readonly urls: string[];
  readonly gatewayPids: number[];
  cpu(): CpuSample;
  /** Heap after GC of one gateway (both kinds preload bench/lib/heap-hook.cjs). */
  heap(gateway: number): Promise<HeapFigures>;
  /** kill -9 one gateway; resolves once it is gone. */
  killGateway(gateway: number): Promise<void>;
  stop(): Promise<void>;
}

export function cpuSpent(a: CpuSample, b: CpuSample): CpuSpent {
  const perGateway = b.gateways.map((v, i) => v - (a.gateways[i] ?? 0));
  return {
    seconds: (b.at - a.at) / 1000,
    perGateway,
    gateways: perGateway.reduce((s, v) => s + v, 0),
    services: b.services - a.services,
    postgres: postgresSpent(a.postgres, b.postgres),
  };
}

const HOOK = join(workspaceRoot(), 'bench/lib/heap-hook.cjs');

export async function startTarget(kind: TargetKind, o: TargetOptions): Promise<Target> {
  return kind === 'parley' ? startParley(o) : startPipe(o);
}

async function startParley(o: TargetOptions): Promise<Target> {
  const heapDir = mkdtempSync(join(tmpdir(), 'parley-bench-heap-'));
  const extra = process.env['PARLEY_BENCH_GATEWAY_ENV'] ? (JSON.parse(process.env['PARLEY_BENCH_GATEWAY_ENV']) as Record<string, string>) : {};
  // PARLEY_BENCH_PROFILE: V8 CPU profiles of the gateways and services (written at exit) for chrome://inspect or speedscope.
  const profile = process.env['PARLEY_BENCH_PROFILE'] ? ` --cpu-prof --cpu-prof-dir=${process.env['PARLEY_BENCH_PROFILE']}` : '';
  // Node/V8 flags of Parley's gateways instead of deploy/docker/node-flags.json's (e.g. another young-generation size).
  const flags = process.env['PARLEY_BENCH_NODE_FLAGS'];
  const replicas = {
    gateway: o.gateways,
    presence: 1,
    ...(o.channels ? { channel: 1 } : {}),
    ...(o.history ? { history: 2 } : {}),
    ...(o.invitations ? { invitation: 1 } : {}),
  };
  // Every service this stack runs is profiled too (the gateways get the profile with their hook).
  const serviceApps = Object.keys(replicas).filter((app) => app !== 'gateway');
  const stack = await Stack.start({
    replicas,
    // The bench measures the pipe, not the per-user limit (180 / 3 s would cap 200 senders at 12k/s).
    env: { LOG_LEVEL: 'warn', MESSAGE_RATE: '1000000/3000' },
    ...(flags !== undefined ? { nodeFlags: { gateway: flags.split(' ').filter(Boolean) } } : {}),
    appEnv: {
      gateway: { NODE_OPTIONS: `--require ${HOOK}${profile}`, PARLEY_BENCH_HEAP_DIR: heapDir, ...extra },
      ...(profile ? Object.fromEntries(serviceApps.map((app) => [app, { NODE_OPTIONS: profile.trim() }])) : {}),
    },
  });
  const app = await createTestApp().catch(async (err: unknown) => {
    await stack.stop();
    throw err;
  });
  const database = new URL(testDatabaseUrl()).pathname.slice(1);
  const gatewayPids = stack.gateways.map((g) => g.child.pid!);
  const services = () => stack.processes.filter((p) => p.app !== 'gateway').map((p) => p.child.pid!);
  return {
    kind: 'parley',
    appId: app.appId,
    stack,
    urls: stack.gatewayUrls,
    gatewayPids,
    cpu: () => ({
      at: Date.now(),
      gateways: gatewayPids.map(cpuMs),
      services: services().reduce((s, pid) => s + cpuMs(pid), 0),
      postgres: postgresBackendsCpu(database),
    }),
    heap: (i) => heapAfterGc(gatewayPids[i]!, heapDir),
    killGateway: async (i) => {
      const proc = stack.gateways.find((g) => g.child.pid === gatewayPids[i]);
      if (proc) await stack.kill(proc, 'SIGKILL');
    },
    stop: async () => {
      await stack.stop();
      rmSync(heapDir, { recursive: true, force: true });
    },
  };
}

async function startPipe(o: TargetOptions): Promise<Target> {
  const heapDir = mkdtempSync(join(tmpdir(), 'parley-bench-heap-'));
  const profile = process.env['PARLEY_BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['PARLEY_BENCH_PROFILE']}`] : [];
  const pipe = await PipeStack.start(o.gateways, { execArgv: ['--require', HOOK, ...profile], env: { PARLEY_BENCH_HEAP_DIR: heapDir } });
  const all = [...pipe.gateways];
  const gatewayPids = all.map((g) => g.child.pid!);
  return {
    kind: 'pipe',
    // Same shape as Parley's app ids: the subjects are as long.
    appId: randomBytes(16).toString('hex'),
    urls: all.map((g) => g.url),
    gatewayPids,
    cpu: () => ({ at: Date.now(), gateways: gatewayPids.map(cpuMs), services: 0, postgres: new Map() }),
    heap: (i) => heapAfterGc(gatewayPids[i]!, heapDir),
    killGateway: async (i) => {
      if (pipe.gateways.includes(all[i]!)) await pipe.kill(all[i]!, 'SIGKILL');
    },
    stop: async () => {
      await pipe.stop();
      rmSync(heapDir, { recursive: true, force: true });
    },
  };
}
