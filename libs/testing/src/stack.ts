import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { capturedMessagesStreamName, historyStreamName, recoveryStreamName, SERVICES, type ServiceName } from '@parley/contracts/internal';
import { connect } from 'nats';
import { testDatabaseUrl, workspaceRoot } from './env';

export type AppName = ServiceName | 'gateway' | 'api' | 'webhooks';

export interface StackOptions {
  /** Replicas per app; an app left out does not run. */
  replicas: Partial<Record<AppName, number>>;
  /** Extra environment for every process (short timers in tests). */
  env?: Record<string, string>;
  /** Extra environment per app. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Fixed HTTP ports per replica index (a restarted replica keeps its URL); default: any free port. */
  ports?: Partial<Record<AppName, number[]>>;
  /** The NATS server of every process (e.g. a private NatsServer's url); default NATS_URL, else 127.0.0.1:4222. */
  natsUrl?: string;
  /** The database of every process (e.g. a private PostgresServer's); default testDatabaseUrl(). */
  databaseUrl?: string;
  /** Extra environment for one replica (e.g. one gateway's NATS_URL through a TcpProxy); applied last. */
  replicaEnv?: (app: AppName, index: number) => Record<string, string> | undefined;
  /** Node/V8 flags per app instead of deploy/docker/node-flags.json's (what the image and npm start use). */
  nodeFlags?: Partial<Record<AppName, string[]>>;
}

/** The app's Node/V8 flags as the image runs it (deploy/docker/node-flags.json). */
function defaultNodeFlags(app: AppName): string[] {
  const flags = JSON.parse(readFileSync(join(workspaceRoot(), 'deploy/docker/node-flags.json'), 'utf8')) as Record<string, unknown>;
  const list = flags[app];
  return Array.isArray(list) ? (list as string[]) : [];
}

/**
 * `n` ports free right now on 127.0.0.1 (for replicas that must come back on the same port). They are
 * taken below the kernel's ephemeral range (Linux: 32768–60999), so no outgoing connection of any
 * process on the machine can borrow one as its local port while the replica is down (a restart
 * would then fail with EADDRINUSE).
 */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.includes(port) && (await canListen(port))) ports.push(port);
  }
  return ports;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface ParleyProcess {
  app: AppName;
  index: number;
  child: ChildProcess;
  port: number;
  /** The gateway's WebSocket URL (gateways only). */
  url: string;
  exited: Promise<number | null>;
  /** Last lines the process wrote (for failure messages). */
  output: string[];
}

const READY_TIMEOUT_MS = 20_000;

/** How a process ended, with its last lines; undefined while it runs (for failure messages). */
export function exitReport(p: ParleyProcess): string | undefined {
  const how = p.child.exitCode ?? p.child.signalCode;
  return how === null ? undefined : `${p.app}#${p.index} (pid ${p.child.pid}) exited (${how}); its last lines:\n${p.output.slice(-30).join('\n')}`;
}

/**
 * Starts Parley's real processes (built bundles in dist/apps) against the machine's NATS and
 * Postgres, each app with its replicas, on a subject prefix of their own so runs never mix.
 */
export class Stack {
  readonly prefix = `parleytest${randomBytes(4).toString('hex')}`;
  readonly processes: ParleyProcess[] = [];
  /** Spawned but not ready yet: killed too if the stack is stopped. */
  private readonly starting = new Set<ChildProcess>();
  /** Processes this harness is ending (kill, stop): their exit is no news. */
  private readonly stopping = new WeakSet<ChildProcess>();

  constructor(private readonly options: StackOptions) {}

  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    try {
      await stack.spawnAll();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** Starts every configured replica (services first, gateways last); after killAll() this is a restart. */
  async spawnAll(): Promise<void> {
    const order: AppName[] = [...SERVICES, 'webhooks', 'api', 'gateway'];
    for (const app of order) {
      const n = this.options.replicas[app] ?? 0;
      await Promise.all(Array.from({ length: n }, (_, i) => this.spawn(app, i)));
    }
  }

  get gateways(): ParleyProcess[] {
    return this.processes.filter((p) => p.app === 'gateway');
  }

  get gatewayUrls(): string[] {
    return this.gateways.map((g) => g.url);
  }

  /** The server API replicas' base URLs (http://127.0.0.1:port). */
  get apiUrls(): string[] {
    return this.processes.filter((p) => p.app === 'api').map((p) => `http://127.0.0.1:${p.port}`);
  }

  env(app: AppName, index: number): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      NATS_URL: this.natsUrl,
      DATABASE_URL: this.options.databaseUrl ?? testDatabaseUrl(),
      // 12 processes × 3 stay far below Postgres's 100 connections, with room for test clients.
      DATABASE_POOL_MAX: '3',
      PARLEY_SUBJECT_PREFIX: this.prefix,
      PORT: String(this.options.ports?.[app]?.[index] ?? 0),
      LOG_LEVEL: process.env['PARLEY_TEST_LOG_LEVEL'] ?? 'warn',
      GATEWAY_ID: app === 'gateway' ? `${this.prefix}-gw${index}` : undefined,
      OTEL_TRACES_EXPORTER: 'none',
      SHUTDOWN_DEADLINE_MS: '5000',
      ...this.options.env,
      ...this.options.appEnv?.[app],
      ...this.options.replicaEnv?.(app, index),
    };
  }

  get natsUrl(): string {
    return this.options.natsUrl ?? process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
  }

  async spawn(app: AppName, index: number): Promise<ParleyProcess> {
    const main = join(workspaceRoot(), 'dist/apps', app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (nx run-many -t build)`);
    const flags = this.options.nodeFlags?.[app] ?? defaultNodeFlags(app);
    const child = spawn(process.execPath, ['--enable-source-maps', ...flags, main], {
      env: this.env(app, index),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    this.starting.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${app}#${index} not ready in ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`)), READY_TIMEOUT_MS);
      const onLine = (line: string) => {
        output.push(line);
        if (output.length > 200) output.shift();
        if (process.env['PARLEY_TEST_ECHO']) process.stderr.write(`[${app}#${index}] ${line}\n`);
        if (!line.includes('"ready"')) return;
        try {
          const entry = JSON.parse(line) as { msg?: unknown; port?: number };
          if (entry.msg === 'ready' && typeof entry.port === 'number') {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          /* not a JSON log line */
        }
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${app}#${index} exited with ${code} before it was ready:\n${output.join('\n')}`));
      });
    }).finally(() => this.starting.delete(child));
    const proc: ParleyProcess = { app, index, child, port, url: `ws://127.0.0.1:${port}/v1/ws`, exited, output };
    this.processes.push(proc);
    // A replica that dies on its own mid-test says so, with its last lines: the test may only see a lost connection.
    child.once('exit', () => {
      if (!this.stopping.has(child)) process.stderr.write(`[stack] ${exitReport(proc)} (not ended by the harness)\n`);
    });
    return proc;
  }

  /** kill -9 (or another signal) one process; resolves when it is gone. */
  async kill(proc: ParleyProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.stopping.add(proc.child);
    proc.child.kill(signal);
    await proc.exited;
    this.processes.splice(this.processes.indexOf(proc), 1);
  }

  /** Sends a signal without waiting (SIGSTOP/SIGCONT freeze and thaw a process). */
  signal(proc: ParleyProcess, signal: NodeJS.Signals): void {
    proc.child.kill(signal);
  }

  /** kill -9 every process at once (a crash of the whole deployment). */
  async killAll(): Promise<void> {
    await Promise.all([...this.processes].map((p) => this.kill(p, 'SIGKILL')));
  }

  async stop(): Promise<void> {
    for (const child of this.starting) child.kill('SIGKILL');
    await Promise.all(
      [...this.processes].map(async (p) => {
        this.stopping.add(p.child);
        p.child.kill('SIGTERM');
        const timeout = setTimeout(() => p.child.kill('SIGKILL'), 8_000);
        await p.exited;
        clearTimeout(timeout);
      }),
    );
    this.processes.length = 0;
    await this.removeStreams();
  }

  /** JetStream state lives in the NATS server beyond the processes: remove this run's (unless that server is gone). */
  private async removeStreams(): Promise<void> {
    const nc = await connect({ servers: this.natsUrl, reconnect: false }).catch(() => null);
    if (!nc) return;
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(recoveryStreamName(this.prefix)).catch(() => undefined);
      await jsm.streams.delete(capturedMessagesStreamName(this.prefix)).catch(() => undefined);
      await jsm.streams.delete(historyStreamName(this.prefix)).catch(() => undefined);
    } finally {
      await nc.close();
    }
  }
}
