import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat; 0 when it is gone. */
export function cpuMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time (ms, from the scheduler's nanosecond counts) and wake-ups (voluntary context switches) of
 * a process's threads now, summed over /proc/<pid>/task/<tid>/{schedstat,status}: precise where
 * /proc/<pid>/stat counts 10 ms ticks (an idle process's few wake-ups a second are all a tick or none).
 * A thread that exited in between loses its share. Null when the process is gone or the kernel has
 * no schedstat.
 */
export function threadStats(pid: number): { cpuMs: number; wakeups: number } | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  let wakeups = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      wakeups += m ? Number(m[1]) : 0;
    } catch {
      // the thread exited meanwhile; no schedstat at all: null below
    }
  }
  return Number.isFinite(ns) && ns > 0 ? { cpuMs: ns / 1e6, wakeups } : null;
}

/** Resident set size in KB, from /proc/<pid>/status. */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) : 0;
}

/**
 * CPU ms per Postgres backend serving `database` (its process title names the database), or null
 * when no Postgres process is visible from here (another host, another PID namespace).
 */
export function postgresBackendsCpu(database: string): Map<number, number> | null {
  const found = new Map<number, number>();
  let anyPostgres = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let cmdline: string;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    anyPostgres = true;
    // "postgres: 15/main: postgres parley_bench 127.0.0.1(51234) idle"
    if (cmdline.split(' ').includes(database)) found.set(pid, backendCpuMs(pid));
  }
  return anyPostgres ? found : null;
}

/**
 * A backend's CPU ms from the scheduler's nanoseconds (/proc/<pid>/schedstat; a backend is one
 * thread): its work for a login is a few short statements, which /proc/<pid>/stat's 10 ms ticks
 * mostly miss (1,000 logins' ~80 ms of backend CPU read as 0 in two runs of three).
 */
function backendCpuMs(pid: number): number {
  return threadStats(pid)?.cpuMs ?? cpuMs(pid);
}

/** CPU the backends used between two samples (a backend that appeared meanwhile counts from 0). */
export function postgresSpent(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/** Files a process needs beyond its sockets (NATS, Postgres, stdio, libuv, …): kept free below the open-files limit. */
export const OPEN_FILES_HEADROOM = 300;

/** The soft limit of open files of this process (every socket is one; a gateway child inherits it). */
export function openFilesLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

export interface HeapFigures {
  /** V8 heap in use after two full GCs, bytes. */
  heapUsed: number;
  /** Memory outside the V8 heap that JS objects hold (Buffers of sockets, …), bytes. */
  external: number;
  /** RSS right after those GCs, bytes. */
  rss: number;
  /** V8 heap committed (all spaces), and of it the young generation, bytes. */
  heapCommitted?: number;
  newSpace?: number;
}

/** Asks a process running bench/lib/heap-hook.cjs for its heap after GC (SIGUSR2 → <dir>/<pid>.json). */
export async function heapAfterGc(pid: number, dir: string, timeoutMs = 20_000): Promise<HeapFigures> {
  const file = join(dir, `${pid}.json`);
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  while (Date.now() - asked < timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(file)) continue;
    const figures = JSON.parse(readFileSync(file, 'utf8')) as HeapFigures & { at: number };
    if (figures.at >= asked) return figures;
  }
  throw new Error(`process ${pid} did not report its heap (is bench/lib/heap-hook.cjs preloaded?)`);
}
