import { ErrorCode, Op } from '@parley/contracts';
import { createTestApp, Stack, startTestS3, WireClient, type AppName, type TestApp, type TestS3 } from '@parley/testing';
import { FAST_TIMERS } from './support/timers';

const SERVICE_TIMEOUT_MS = 300;

/**
 * The gateway's service requests take their timeout from its config (SERVICE_TIMEOUT_MS), not a
 * constant: with every replica of a service frozen (SIGSTOP: connected to NATS, never answering), a
 * request to it answers TIMEOUT naming the configured 300 ms (ServiceClient's message), and once the
 * replicas are thawed the next request is answered. Nothing here measures wall-clock time (the
 * machine may be loaded): the configured value shows in the error's message.
 */
describe('service timeout from config', () => {
  let s3: TestS3;
  let stack: Stack;
  let app: TestApp;
  let client: WireClient;

  beforeAll(async () => {
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 1, presence: 1, channel: 2, media: 2 },
      env: FAST_TIMERS,
      appEnv: { gateway: { SERVICE_TIMEOUT_MS: String(SERVICE_TIMEOUT_MS) }, media: s3.env },
    });
    app = await createTestApp();
    client = await WireClient.login(stack.gatewayUrls[0]!, app.appId, 'waiter');
  });

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await s3?.stop();
  });

  /** Freezes every replica of `service` while `fn` runs, then thaws them. */
  async function frozen<T>(service: AppName, fn: () => Promise<T>): Promise<T> {
    const replicas = stack.processes.filter((p) => p.app === service);
    expect(replicas.length).toBeGreaterThan(0);
    replicas.forEach((p) => stack.signal(p, 'SIGSTOP'));
    try {
      return await fn();
    } finally {
      replicas.forEach((p) => stack.signal(p, 'SIGCONT'));
    }
  }

  /** The answer to a request once the service answers in time again (a thawed replica first works off what queued up). */
  async function answered(op: number, args: unknown): Promise<[number, unknown]> {
    for (let attempt = 1; ; attempt++) {
      const reply = await client.request(op, args);
      if (reply[0] !== ErrorCode.TIMEOUT || attempt === 10) return reply;
    }
  }

  it('answers a channel JOIN with TIMEOUT after SERVICE_TIMEOUT_MS while every channel replica is stopped, and joins once they run', async () => {
    expect((await client.request(Op.JOIN, { ch: 'warmup' }))[0]).toBe(0);

    const [code, data] = await frozen('channel', () => client.request(Op.JOIN, { ch: 'lobby' }));
    expect(code).toBe(ErrorCode.TIMEOUT);
    expect((data as { message: string }).message).toMatch(new RegExp(`did not answer in ${SERVICE_TIMEOUT_MS} ms`));

    expect((await answered(Op.JOIN, { ch: 'lobby' }))[0]).toBe(0);
  });

  it('answers MEDIA_INFO with TIMEOUT after SERVICE_TIMEOUT_MS while every media replica is stopped, and the answer once they run', async () => {
    const [code, data] = await frozen('media', () => client.request(Op.MEDIA_INFO, { mediaId: 'no-such-media' }));
    expect(code).toBe(ErrorCode.TIMEOUT);
    expect((data as { message: string }).message).toMatch(new RegExp(`did not answer in ${SERVICE_TIMEOUT_MS} ms`));

    expect((await answered(Op.MEDIA_INFO, { mediaId: 'no-such-media' }))[0]).toBe(ErrorCode.MEDIA_NOT_FOUND);
  });
});
