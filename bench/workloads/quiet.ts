import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Op } from '@parley/contracts';
import { createTestApp, Stack, startTestS3, testDatabaseUrl, workspaceRoot, type AppName, type TestS3 } from '@parley/testing';
import { Client } from 'pg';
import { loginLean } from '../lib/clients';
import type { LeanClient } from '../lib/lean-client';
import { cpuMs, OPEN_FILES_HEADROOM, openFilesLimit, threadStats } from '../lib/proc-stats';
import { grid, table } from '../lib/report';
import { sleep } from '../lib/time';

export interface QuietOptions {
  /** The measured window, s. */
  seconds: number;
  /** Idle time after the start (and the logins) before the window: start-up work is over, s. */
  warmup: number;
  /** Idle logged-in lean clients, over both gateways. */
  sessions: number;
}

/** Every server app, two replicas each, as docker-compose.yml and deploy/k8s run them (services first, as Stack starts them). */
const CLUSTER: AppName[] = ['presence', 'channel', 'attributes', 'invitation', 'media', 'history', 'api', 'webhooks', 'gateway'];
const REPLICAS = 2;

/** Projects under apps/ that are not resident processes of a deployment. */
const NOT_RUNNING: Record<string, string> = {
  cli: 'the operator CLI: runs per command, no resident process',
  console: 'the operator console: static files served by nginx (gateway-lb), no Node process',
};

/** The target of the issue: all services together below 1 % of one core with no traffic. */
const TARGET_PCT = 1;

/** How often the Postgres backends are listed (a backend that exits between two lists loses at most this much of its CPU). */
const PG_SAMPLE_MS = 1_000;

/**
 * CPU of the Postgres backends whose application_name is `appName` (every connection of this
 * cluster: its DATABASE_URL carries it), accumulated from samples: per backend, the CPU at its first
 * sight (0 for one that appeared inside the window) and at its last. Null when the backends are not
 * visible in /proc (Postgres on another host or in another PID namespace).
 */
class PostgresBackends {
  private readonly seen = new Map<number, { first: number; last: number; opened: boolean }>();
  private started = false;
  visible = true;

  constructor(
    private readonly db: Client,
    private readonly appName: string,
  ) {}

  async sample(): Promise<void> {
    const { rows } = await this.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [this.appName]);
    for (const { pid } of rows) {
      if (!existsSync(`/proc/${pid}/stat`)) {
        this.visible = false;
        continue;
      }
      const cpu = threadStats(pid)?.cpuMs ?? cpuMs(pid);
      const entry = this.seen.get(pid);
      if (entry) entry.last = cpu;
      else this.seen.set(pid, { first: this.started ? 0 : cpu, last: cpu, opened: this.started });
    }
    this.started = true;
  }

  /** CPU ms over the window, how many backends were seen, and how many of them were opened inside it. */
  spent(): { ms: number; backends: number; opened: number } | null {
    if (!this.visible) return null;
    let ms = 0;
    for (const { first, last } of this.seen.values()) ms += last - first;
    return { ms, backends: this.seen.size, opened: [...this.seen.values()].filter((b) => b.opened).length };
  }
}

/**
 * `npm run bench -- quiet`: the idle cluster. Every server app with two replicas (media against a
 * local s3rver, as the test harness runs it), optionally `sessions` idle logged-in lean clients; after
 * `warmup` s, the CPU of every process over `seconds` s: per app (replicas summed) in % of one core, the
 * services together (all but the gateways), the gateways, and the cluster's Postgres backends.
 */
export async function benchQuiet(o: QuietOptions): Promise<void> {
  const leftOut: Array<[string, string]> = [];
  for (const dir of readdirSync(join(workspaceRoot(), 'apps')).sort()) {
    if (CLUSTER.includes(dir as AppName)) continue;
    leftOut.push([dir, NOT_RUNNING[dir] ?? 'not a server app the bench harness (libs/testing Stack) can start']);
  }
  let apps = CLUSTER.filter((app) => {
    if (existsSync(join(workspaceRoot(), 'dist/apps', app, 'main.js'))) return true;
    leftOut.push([app, `dist/apps/${app}/main.js is missing (build the apps: npx nx run-many -t build --projects=tag:type:app)`]);
    return false;
  });
  if (o.sessions > 0 && o.sessions + OPEN_FILES_HEADROOM > openFilesLimit())
    throw new Error(`--sessions ${o.sessions} does not fit the open-files limit ${openFilesLimit()} (ulimit -n)`);

  let s3: TestS3 | undefined;
  if (apps.includes('media')) {
    s3 = await startTestS3().catch((err: unknown) => {
      leftOut.push(['media', `no S3 server: s3rver did not start (${err instanceof Error ? err.message : String(err)})`]);
      return undefined;
    });
    if (!s3) apps = apps.filter((a) => a !== 'media');
  }

  // Every connection of this cluster names itself: the bench database may be shared with another run.
  const appName = `parley-quiet-${randomBytes(4).toString('hex')}`;
  const databaseUrl = new URL(testDatabaseUrl());
  databaseUrl.searchParams.set('application_name', appName);
  const started = Date.now();
  let stack: Stack | undefined;
  const monitor = new Client({ connectionString: testDatabaseUrl(), application_name: 'parley-quiet-monitor' });
  const clients: LeanClient[] = [];
  try {
    stack = await Stack.start({
      replicas: Object.fromEntries(apps.map((a) => [a, REPLICAS])),
      databaseUrl: databaseUrl.toString(),
      // What the image runs with (Dockerfile, docker-compose.yml): production mode, info logs.
      env: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
      appEnv: {
        ...(s3 ? { media: s3.env } : {}),
        // NODE_ENV=production: the api does not start without an admin token.
        api: { ADMIN_TOKEN: randomBytes(24).toString('hex') },
      },
    });
    const startSeconds = (Date.now() - started) / 1000;
    await monitor.connect();

    if (o.sessions > 0) {
      const app = await createTestApp();
      const tag = randomBytes(3).toString('hex');
      const urls = stack.gatewayUrls;
      let next = 0;
      const worker = async () => {
        while (next < o.sessions) {
          const i = next++;
          clients.push(await loginLean(urls[i % urls.length]!, app.appId, `quiet${i}-${tag}`));
        }
      };
      await Promise.all(Array.from({ length: Math.min(50, o.sessions) }, worker));
    }
    await sleep(o.warmup * 1000);

    const procs = stack.processes.map((p) => ({ app: p.app, index: p.index, pid: p.child.pid!, exited: false }));
    for (const p of stack.processes) void p.exited.then(() => (procs.find((q) => q.pid === p.child.pid)!.exited = true));
    const pg = new PostgresBackends(monitor, appName);
    await pg.sample();
    // Per process: the scheduler's ns and wake-ups of its threads where the kernel has them, else /proc ticks.
    const sample = (pid: number) => threadStats(pid) ?? { cpuMs: cpuMs(pid), wakeups: NaN };
    const before = procs.map((p) => sample(p.pid));
    const self0 = process.cpuUsage();
    const t0 = Date.now();
    while (Date.now() - t0 < o.seconds * 1000) {
      await sleep(Math.min(PG_SAMPLE_MS, t0 + o.seconds * 1000 - Date.now()));
      await pg.sample();
    }
    const after = procs.map((p) => sample(p.pid));
    const self = process.cpuUsage(self0);
    const seconds = (Date.now() - t0) / 1000;
    const pct = (ms: number) => ms / 10 / seconds;
    const f = (v: number) => `${v.toFixed(2)} %`;

    // A process that exited in the window has no figure (its counters are gone, not negative).
    const spent = procs.map((p, i) =>
      p.exited ? { ...p, ms: 0, wakeups: 0 } : { ...p, ms: after[i]!.cpuMs - before[i]!.cpuMs, wakeups: after[i]!.wakeups - before[i]!.wakeups },
    );
    const exited = spent.filter((p) => p.exited).length;
    const precise = spent.every((p) => !Number.isNaN(p.wakeups));
    const rows = apps.map((app) => {
      const mine = spent.filter((p) => p.app === app).sort((a, b) => a.index - b.index);
      const total = mine.reduce((s, p) => s + p.ms, 0);
      const wakeups = mine.reduce((s, p) => s + p.wakeups, 0);
      return {
        app,
        total,
        cells: [
          app,
          String(mine.length),
          f(pct(total)),
          mine.map((p) => (p.exited ? 'exited' : pct(p.ms).toFixed(precise ? 3 : 2))).join(' + '),
          Number.isNaN(wakeups) ? '-' : (wakeups / seconds).toFixed(1),
        ],
      };
    });
    const services = rows.filter((r) => r.app !== 'gateway').reduce((s, r) => s + r.total, 0);
    const gateways = rows.find((r) => r.app === 'gateway')?.total ?? 0;
    const pgSpent = pg.spent();

    console.log(
      `\nquiet (idle cluster): ${apps.length} apps × ${REPLICAS} replicas (NODE_ENV=production, LOG_LEVEL=info; started in ${startSeconds.toFixed(1)} s), ` +
        `${o.sessions} idle logged-in session${o.sessions === 1 ? '' : 's'}, no traffic; ${o.warmup} s warm-up, CPU over ${seconds.toFixed(1)} s ` +
        (precise
          ? "(% of one core, from the scheduler's per-thread ns; wake-ups: voluntary context switches of all threads)"
          : `(% of one core; /proc ticks of 10 ms: ±${(1 / seconds).toFixed(2)} % per process)`),
    );
    for (const [app, why] of leftOut) console.log(`  left out: ${app}: ${why}`);
    console.log(
      grid(
        ['app', 'replicas', 'CPU', 'per replica', 'wake-ups/s'],
        rows.map((r) => r.cells),
      ),
    );
    console.log();
    console.log(
      table([
        [
          `services (all but gateways)`,
          `${f(pct(services))}  target < ${TARGET_PCT} %: ${exited ? `not judged (${exited} process${exited === 1 ? '' : 'es'} exited in the window)` : pct(services) < TARGET_PCT ? 'met' : 'NOT met'}`,
        ],
        ['gateways', f(pct(gateways))],
        [
          'Postgres backends of the cluster',
          pgSpent
            ? `${f(pct(pgSpent.ms))} (${pgSpent.backends} backends, ${pgSpent.opened} of them opened in the window; application_name ${appName})`
            : 'not visible from here (Postgres on another host or PID namespace)',
        ],
        [
          'load generator (this process)',
          `${f((self.user + self.system) / 1000 / 10 / seconds)}${o.sessions > 0 ? ` (${o.sessions} lean clients' pings)` : ''}`,
        ],
      ]),
    );
    console.log('  (OpenTelemetry trace export off, as in the test harness; NATS is shared with other runs and not counted)');
  } finally {
    // Logged out, not just closed: sessions left UNREACHABLE would be swept (and announced) by the next
    // presence to run on the bench database, inside another run's measurement.
    await Promise.all(clients.map((c) => c.request(Op.LOGOUT, null, 10_000).catch(() => undefined)));
    for (const c of clients) c.close();
    await monitor.end().catch(() => undefined);
    await stack?.stop();
    await s3?.stop();
  }
}
