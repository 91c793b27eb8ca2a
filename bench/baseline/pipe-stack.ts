import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WS_PATH } from '@parley/contracts';
import { workspaceRoot } from '@parley/testing';

export interface PipeGateway {
  index: number;
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

/** Starts the baseline pipe's gateways (bench/baseline/pipe-gateway.ts), one Node process each, on a subject prefix of their own. */
export class PipeStack {
  readonly prefix = `pipe${randomBytes(4).toString('hex')}`;
  readonly gateways: PipeGateway[] = [];

  private constructor(private readonly execArgv: string[]) {}

  /** `execArgv`: extra node flags of every gateway (e.g. --require of the heap hook). */
  static async start(gateways: number, opts: { execArgv?: string[]; env?: Record<string, string> } = {}): Promise<PipeStack> {
    const stack = new PipeStack(opts.execArgv ?? []);
    try {
      await Promise.all(Array.from({ length: gateways }, (_, i) => stack.spawn(i, opts.env ?? {})));
    } catch (err) {
      await stack.stop();
      throw err;
    }
    stack.gateways.sort((a, b) => a.index - b.index);
    return stack;
  }

  private async spawn(index: number, env: Record<string, string>): Promise<void> {
    const root = workspaceRoot();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ...this.execArgv, join(root, 'bench/baseline/pipe-gateway.ts')], {
      cwd: root,
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        SWC_NODE_PROJECT: join(root, 'bench/tsconfig.json'),
        NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
        PARLEY_SUBJECT_PREFIX: this.prefix,
        GATEWAY_ID: `${this.prefix}-gw${index}`,
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const output: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`pipe gateway ${index} not ready:\n${output.join('\n')}`));
      }, READY_TIMEOUT_MS);
      const onLine = (line: string) => {
        output.push(line);
        const m = /^\{"msg":"ready","port":(\d+)\}$/.exec(line);
        if (!m) return;
        clearTimeout(timer);
        resolve(Number(m[1]));
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`pipe gateway ${index} exited before it was ready:\n${output.join('\n')}`));
      });
    });
    this.gateways.push({ index, child, url: `ws://127.0.0.1:${port}${WS_PATH}`, exited });
  }

  async kill(gateway: PipeGateway, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    gateway.child.kill(signal);
    await gateway.exited;
    this.gateways.splice(this.gateways.indexOf(gateway), 1);
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.gateways].map(async (g) => {
        const timeout = setTimeout(() => g.child.kill('SIGKILL'), 5_000);
        await this.kill(g, 'SIGTERM');
        clearTimeout(timeout);
      }),
    );
  }
}
