import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { recoveryStreamName } from '@parley/contracts/internal';
import { freePorts, testDatabaseUrl, waitFor, workspaceRoot } from '@parley/testing';
import { connect } from 'nats';

/**
 * `npm start` (scripts/start.sh → tools/start/start.mjs) on free ports, with the apps already built
 * (the test target builds them) and the test database already migrated. Nothing it starts may
 * outlive it, however it ends: a process manager's SIGTERM to npm, npm killed, the launcher killed.
 */
const ROOT = workspaceRoot();
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
/** The test target built the apps and test.sh migrated the test database. */
const FLAGS = ['--no-build', '--no-migrate'];
const STARTED_WITHIN_MS = 90_000;
/** The apps' SHUTDOWN_DEADLINE_MS is 5 s here; everything is gone well within twice that. */
const GONE_WITHIN_MS = 12_000;

interface Launch {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  gatewayPort: number;
  s3Port: number;
  apiPort: number;
  prefix: string;
}

const launches: Launch[] = [];

function launch(command: string, args: string[], ports: number[], extraEnv: Record<string, string> = {}): Launch {
  const [gatewayPort, s3Port, apiPort] = ports as [number, number, number];
  const prefix = `parleystart${randomBytes(4).toString('hex')}`;
  const child = spawn(command, args, {
    cwd: ROOT,
    // Own process group: the test's last-resort cleanup kills whatever is left in it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GATEWAY_PORT: String(gatewayPort),
      S3_PORT: String(s3Port),
      API_PORT: String(apiPort),
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL,
      PARLEY_SUBJECT_PREFIX: prefix,
      PARLEY_REPLICAS: '1',
      DATABASE_POOL_MAX: '2',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DEADLINE_MS: '5000',
      OTEL_TRACES_EXPORTER: 'none',
      ...extraEnv,
    },
  });
  const output: string[] = [];
  const collect = (data: Buffer) => output.push(...data.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started: Launch = { child, output, exited, gatewayPort, s3Port, apiPort, prefix };
  launches.push(started);
  return started;
}

async function running(l: Launch): Promise<void> {
  await waitFor(() => l.output.includes('Parley is running.') || l.child.exitCode !== null, {
    timeoutMs: STARTED_WITHIN_MS,
    intervalMs: 200,
    what: 'Parley is running.',
  });
  if (l.child.exitCode !== null) throw new Error(`npm start exited (${l.child.exitCode}):\n${l.output.slice(-30).join('\n')}`);
}

/** pid → [parent pid, state] of every process on the machine (Linux /proc). */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(ppid), state: state! });
    } catch {
      /* exited meanwhile */
    }
  }
  return table;
}

function descendants(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, { ppid }] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Running (a zombie waiting for its parent to reap it has stopped running). */
function alive(pids: number[]): number[] {
  const table = processTable();
  return pids.filter((pid) => table.has(pid) && table.get(pid)!.state !== 'Z');
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The launcher and one process per app (6 services, webhooks, the server API, 1 gateway), all below `top`. */
function stackProcesses(top: number): { launcher: number; apps: number[] } {
  const below = descendants(top);
  const launcher = [top, ...below].find((pid) => commandOf(pid).includes('tools/start/start.mjs'));
  const apps = below.filter((pid) => commandOf(pid).includes('dist/apps/'));
  expect(launcher).toBeDefined();
  expect(apps.map((pid) => /dist\/apps\/(\w+)\//.exec(commandOf(pid))![1]).sort()).toEqual([
    'api',
    'attributes',
    'channel',
    'gateway',
    'history',
    'invitation',
    'media',
    'presence',
    'webhooks',
  ]);
  return { launcher: launcher!, apps };
}

async function expectAllGone(l: Launch, pids: number[]): Promise<void> {
  const leftOver = () => alive(pids).map((pid) => `${pid} ${commandOf(pid)}`);
  await waitFor(() => leftOver().length === 0, { timeoutMs: GONE_WITHIN_MS, intervalMs: 100, what: 'every process gone' }).catch((err: Error) => {
    throw new Error(`${err.message}\nstill running: ${leftOver().join('\n')}\nlast output:\n${l.output.slice(-20).join('\n')}`);
  });
  expect(await portFree(l.gatewayPort)).toBe(true);
  expect(await portFree(l.s3Port)).toBe(true);
  expect(await portFree(l.apiPort)).toBe(true);
}

afterEach(async () => {
  for (const l of launches.splice(0)) {
    // Last resort after a failure: the launcher's process group and anything still below it.
    const left = [...(l.child.pid ? descendants(l.child.pid) : [])];
    try {
      process.kill(-l.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(recoveryStreamName(l.prefix)).catch(() => undefined);
    } finally {
      await nc.close();
    }
  }
});

describe('npm start stops everything it started', () => {
  it('SIGTERM to the npm process (a process manager) stops the launcher and every app and frees the ports', async () => {
    const l = launch('npm', ['start', '--', ...FLAGS], await freePorts(3));
    await running(l);
    const { launcher, apps } = stackProcesses(l.child.pid!);
    // The console the gateway serves may call the server API: its origins are the api's CORS origins.
    for (const origin of [`http://127.0.0.1:${l.gatewayPort}`, `http://localhost:${l.gatewayPort}`]) {
      const preflight = await fetch(`http://127.0.0.1:${l.apiPort}/v1/admin/stats`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, origin]);
    }
    expect(l.output).toContainEqual(expect.stringContaining(`Console      http://127.0.0.1:${l.gatewayPort}/console/`));

    process.kill(l.child.pid!, 'SIGTERM');

    await expectAllGone(l, [l.child.pid!, launcher, ...apps]);
    // Each app went through its own shutdown, not a SIGKILL after the launcher's deadline.
    expect(l.output.join('\n')).not.toContain('SIGKILL');
  });

  it('the launcher stops the apps when its parent (npm) is killed', async () => {
    const l = launch('npm', ['start', '--', ...FLAGS], await freePorts(3));
    await running(l);
    const { launcher, apps } = stackProcesses(l.child.pid!);

    process.kill(l.child.pid!, 'SIGKILL');

    await expectAllGone(l, [launcher, ...apps]);
  });

  it('the apps exit by themselves when the launcher is killed (SIGKILL: it cannot stop them)', async () => {
    const l = launch(process.execPath, ['tools/start/start.mjs', ...FLAGS], await freePorts(3));
    await running(l);
    const { apps } = stackProcesses(l.child.pid!);

    process.kill(l.child.pid!, 'SIGKILL');

    await expectAllGone(l, apps);
  });
});

describe('npm start checks the configuration of every app first', () => {
  it('reports every problem of every app at once, with the values, and starts nothing', async () => {
    const l = launch(process.execPath, ['tools/start/start.mjs', ...FLAGS], await freePorts(3), {
      HEARTBEAT_MS: 'abc',
      MEDIA_PART_BYTES: '1',
      SHUTDOWN_DEADLINE_MS: '5',
      USER_ATTRS_SWEEP_MS: '',
      WEBHOOK_TIMEOUT_MS: '5',
    });
    const { code } = await l.exited;
    const output = l.output.join('\n');

    expect(code).toBe(78);
    const report = output.slice(output.indexOf('npm start: invalid configuration')).split('\n');
    expect(report).toEqual([
      'npm start: invalid configuration (nothing was started):',
      '  - every app: SHUTDOWN_DEADLINE_MS="5" is too small: must be at least 100',
      '  - attributes: USER_ATTRS_SWEEP_MS="" is not a number',
      '  - media: MEDIA_PART_BYTES="1" is out of range: must be from 5242880 to 536870912',
      '  - webhooks: WEBHOOK_TIMEOUT_MS="5" is out of range: must be from 100 to 120000',
      '  - gateway: HEARTBEAT_MS="abc" is not a number',
    ]);
    // Checked before NATS, Postgres, S3 or any app.
    expect(output).not.toMatch(/== (NATS and Postgres|S3|start )/);
    expect(output).not.toContain('"ready"');
  });
});
