import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createTestApp, Stack, testDatabaseUrl, waitFor, WebhookReceiver, type TestApp } from '@parley/testing';
import { Client } from 'pg';
import { logoutAll, newClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Verifies a body the way Agora's sample receiver does: HMAC-SHA256 of the raw body, hex. */
const signedBy = (secret: string, raw: string, signature: unknown) => createHmac('sha256', secret).update(raw).digest('hex') === signature;

/**
 * Webhooks (apps/webhooks ×2) with real receivers: every event once, signed, in order per user;
 * retries with one noticeId; a replica killed mid-delivery loses nothing; a hanging endpoint does
 * not delay another. Endpoints are inserted directly (the admin API manages them in production).
 */
describe('webhooks', () => {
  let stack: Stack;
  let db: Client;
  let app: TestApp;
  const receivers: WebhookReceiver[] = [];

  async function addEndpoint(appId: string, url: string, secret = randomBytes(16).toString('hex')): Promise<string> {
    await db.query('INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, updated_at) VALUES ($1, $2, $3, $4, $5, now())', [
      randomUUID(),
      appId,
      url,
      secret,
      [],
    ]);
    return secret;
  }

  async function receiver(): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  }

  beforeAll(async () => {
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1, webhooks: 2 },
      env: { ...FAST_TIMERS },
      appEnv: {
        webhooks: {
          WEBHOOK_ALLOW_PRIVATE: 'true',
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_BACKOFF_BASE_MS: '200',
          WEBHOOK_BACKOFF_MAX_MS: '400',
          WEBHOOK_TIMEOUT_MS: '3000',
          WEBHOOK_LEASE_MARGIN_MS: '500',
          WEBHOOK_DISPATCH_POLL_MS: '200',
          WEBHOOK_IDLE_POLL_MS: '300',
        },
      },
    });
  });

  beforeEach(async () => {
    app = await createTestApp();
  });

  afterEach(async () => {
    await logoutAll();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await stack?.stop();
    await db?.end();
  });

  it('delivers login, join, leave and logout once each, signed, in order per user', async () => {
    const hook = await receiver();
    const secret = await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const alice = newClient(app.appId, stack.gatewayUrls);
    await alice.login({ uid: 'alice' });
    const channel = alice.createChannel('room');
    await channel.join();
    await channel.leave();
    await alice.logout();
    await waitFor(() => hook.received.length >= 4, { timeoutMs: 15_000, what: `4 webhooks (got ${hook.events().join(', ')})` });
    await sleep(1_000);
    expect(hook.events('alice')).toEqual(['user.online', 'channel.join', 'channel.leave', 'user.offline']);
    for (const h of hook.received) {
      expect(signedBy(secret, h.raw, h.headers['agora-signature-v2'])).toBe(true);
      expect(h.headers['agora-signature']).toBe(createHmac('sha1', secret).update(h.raw).digest('hex'));
    }
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(4);
    expect(hook.received.map((h) => h.body.eventType)).toEqual([101, 111, 112, 102]);
    expect(hook.received[1]!.body.payload).toMatchObject({ channelName: 'room', userId: 'alice' });
  });

  it('retries a failing receiver with one noticeId: 500 three times, then 200, is 4 requests', async () => {
    const hook = await receiver();
    let failures = 3;
    hook.respond = (_h, res) => void res.writeHead(failures-- > 0 ? 500 : 200).end();
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const bob = newClient(app.appId, stack.gatewayUrls);
    await bob.login({ uid: 'bob' });
    await waitFor(() => hook.received.length >= 4, { timeoutMs: 20_000, what: `4 attempts (got ${hook.received.length})` });
    await sleep(1_500);
    expect(hook.received).toHaveLength(4);
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(1);
    expect(new Set(hook.received.map((h) => h.raw)).size).toBe(1);
  });

  it('a hanging receiver does not delay another endpoint', async () => {
    const hanging = await receiver();
    hanging.respond = () => undefined;
    const fine = await receiver();
    await addEndpoint(app.appId, hanging.url);
    await addEndpoint(app.appId, fine.url);
    await sleep(500);
    const carol = newClient(app.appId, stack.gatewayUrls);
    const started = Date.now();
    await carol.login({ uid: 'carol' });
    await waitFor(() => fine.received.length >= 1, { timeoutMs: 2_500, what: 'the second endpoint got the event while the first hangs' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(hanging.received.length).toBeGreaterThanOrEqual(1);
  });

  it('loses nothing when a webhooks replica is killed mid-delivery (redelivered with the same noticeId)', async () => {
    const hook = await receiver();
    // Every first request hangs until the replica holding it is killed.
    const seen = new Set<string>();
    hook.respond = (h, res) => {
      if (seen.has(h.body.noticeId)) return void res.end();
      seen.add(h.body.noticeId);
    };
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const dave = newClient(app.appId, stack.gatewayUrls);
    await dave.login({ uid: 'dave' });
    await waitFor(() => hook.received.length >= 1, { timeoutMs: 10_000, what: 'first attempt' });
    // Kill both replicas' in-flight attempts' owner: whichever holds it, kill -9 one, then the other restarts.
    const [w0, w1] = stack.processes.filter((p) => p.app === 'webhooks');
    await stack.kill(w0!);
    await stack.spawn('webhooks', 0);
    await stack.kill(w1!);
    await stack.spawn('webhooks', 1);
    await waitFor(() => hook.received.length >= 2, { timeoutMs: 20_000, what: 'redelivery after the kill' });
    expect(new Set(hook.received.map((h) => h.body.noticeId)).size).toBe(1);
    expect(hook.events('dave')).toEqual(['user.online', 'user.online']);
  });

  it('sends nothing for a drop that reconnects within the window', async () => {
    const hook = await receiver();
    await addEndpoint(app.appId, hook.url);
    await sleep(500);
    const [a, b] = stack.gateways;
    const erin = newClient(app.appId, [a!.url, b!.url]);
    await erin.login({ uid: 'erin' });
    await waitFor(() => hook.received.length >= 1, { timeoutMs: 10_000, what: 'online' });
    await stack.kill(a!);
    await sleep(6_000);
    expect(hook.events('erin')).toEqual(['user.online']);
    await stack.spawn('gateway', a!.index);
  });
});
