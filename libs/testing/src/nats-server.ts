import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePorts } from './stack';

export interface NatsServerOptions {
  /** Enable JetStream (its store lives in a temporary directory removed by stop()). */
  jetstream?: boolean;
  /** Fixed port; default: a free one. Restarts always reuse the port. */
  port?: number;
  /** Extra nats-server arguments. */
  args?: string[];
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

function natsServerBinary(): string {
  if (process.env['NATS_SERVER_BIN']) return process.env['NATS_SERVER_BIN'];
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  return '/usr/sbin/nats-server';
}

/**
 * A private nats-server for fault tests (the machine's NATS on 4222 is shared and never restarted):
 * `const nats = await NatsServer.start({ jetstream: true })`, point the stack at `nats.url`, then
 * `restart()` it, or `down()` … `up()` for a longer outage, and `stop()` at the end. The port stays
 * the same across restarts, so clients reconnect to the same URL. Memory streams die with the
 * process; file streams survive in the store directory until stop().
 */
export class NatsServer {
  /** Last lines the server wrote (for failure messages). */
  readonly output: string[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly storeDir: string | null,
    private readonly extraArgs: string[],
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const port = options.port ?? (await freePorts(1))[0]!;
    const storeDir = options.jetstream ? await mkdtemp(join(tmpdir(), 'parley-nats-')) : null;
    const server = new NatsServer(port, storeDir, options.args ?? []);
    try {
      await server.up();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the server (again) on its port; resolves once it accepts clients. */
  async up(): Promise<void> {
    if (this.child) return;
    const args = ['-a', '127.0.0.1', '-p', String(this.port), ...(this.storeDir ? ['-js', '-sd', this.storeDir] : []), ...this.extraArgs];
    const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server not ready in ${READY_TIMEOUT_MS} ms:\n${this.output.join('\n')}`)), READY_TIMEOUT_MS);
      const onLine = (line: string) => {
        this.output.push(line);
        if (this.output.length > 200) this.output.shift();
        if (line.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited before it was ready:\n${this.output.join('\n')}`));
      });
    });
  }

  /** Stops the server, keeping its port and store: SIGKILL is a crash, SIGTERM a clean shutdown. */
  async down(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    const timeout = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timeout);
    this.child = null;
  }

  /** down() then up(): every client loses its connection and reconnects to the same URL. */
  async restart(options: { signal?: NodeJS.Signals; downMs?: number } = {}): Promise<void> {
    await this.down(options.signal);
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.up();
  }

  /** Stops the server for good and removes its store. */
  async stop(): Promise<void> {
    await this.down('SIGTERM');
    if (this.storeDir) await rm(this.storeDir, { recursive: true, force: true });
  }
}
