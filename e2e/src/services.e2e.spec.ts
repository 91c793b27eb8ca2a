import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createCodec } from '@parley/contracts';
import { SERVICES, Subjects } from '@parley/contracts/internal';
import { Stack, startTestS3, workspaceRoot, type TestS3 } from '@parley/testing';
import { connect, type NatsConnection } from 'nats';

const codec = createCodec();
type PingReply = { response?: { ok: boolean; data: { service: string; pid: number } } };

/** Every app starts as two replicas, shares work through its queue group, answers health checks and stops on SIGTERM. */
describe('all seven apps, two replicas each', () => {
  let stack: Stack;
  let nc: NatsConnection;
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2, attributes: 2, invitation: 2, media: 2, history: 2 },
      appEnv: { media: s3.env },
    });
    nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
    await s3?.stop();
  });

  it.each(SERVICES)('%s: both replicas answer its ping subject (queue group)', async (service) => {
    // Subjects are derived from the stack's own prefix, as the processes see it.
    const subject = Subjects.ping(service).replace(/^[^.]+/, stack.prefix);
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const msg = await nc.request(subject, codec.encode({ pattern: subject, data: {}, id: String(i) }), { timeout: 2_000 });
      const reply = (codec.decode(msg.data) as PingReply).response!;
      expect(reply).toMatchObject({ ok: true, data: { service } });
      pids.add(reply.data.pid);
    }
    const expected = new Set(stack.processes.filter((p) => p.app === service).map((p) => p.child.pid));
    expect(pids).toEqual(expected);
  });

  it('serves liveness and readiness on every process', async () => {
    for (const p of stack.processes) {
      const live = await fetch(`http://127.0.0.1:${p.port}/health/live`);
      expect(live.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${p.port}/health/ready`);
      expect({ app: p.app, status: ready.status }).toEqual({ app: p.app, status: 200 });
    }
  });

  it('reports the media service not ready while its S3 server is unreachable (and says why)', async () => {
    const media = stack.processes.find((p) => p.app === 'media')!;
    const body = async () => (await fetch(`http://127.0.0.1:${media.port}/health/ready`)).json() as Promise<{ status: string; info?: object; error?: object }>;
    expect((await body()).info).toHaveProperty('s3');
    await s3.stop();
    const res = await fetch(`http://127.0.0.1:${media.port}/health/ready`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: object }).error).toHaveProperty('s3');
    // Liveness is unaffected: the process is fine, its dependency is not.
    expect((await fetch(`http://127.0.0.1:${media.port}/health/live`)).status).toBe(200);
  });

  it('exits cleanly on SIGTERM', async () => {
    for (const app of ['media', 'gateway'] as const) {
      const proc = stack.processes.find((p) => p.app === app)!;
      await stack.kill(proc, 'SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  });

  it('refuses to start with an invalid configuration, naming every bad variable', async () => {
    const main = join(workspaceRoot(), 'dist/apps/presence/main.js');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env['PATH'], NATS_URL: 'http://not-nats', RECONNECT_WINDOW_MS: 'soon' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('invalid configuration');
    expect(stderr).toContain('NATS_URL');
    expect(stderr).toContain('RECONNECT_WINDOW_MS');
  });
});
