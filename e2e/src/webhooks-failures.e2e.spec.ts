import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, PostgresServer, Stack, waitFor, WebhookReceiver, type TestApp } from '@parley/testing';
import { Client } from 'pg';
import { logoutAll, newClient } from './support/clients';
import { validateAgainstOpenApi, type ApiResponse } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WEBHOOKS = '/v1/admin/apps/{appid}/webhooks';
const WEBHOOK = '/v1/admin/apps/{appid}/webhooks/{id}';
const TEST = '/v1/admin/apps/{appid}/webhooks/{id}/test';
const FAILURES = '/v1/admin/apps/{appid}/webhooks/{id}/failures';
const REPLAY = '/v1/admin/apps/{appid}/webhooks/{id}/failures/replay';

const ADMIN_TOKEN = randomBytes(24).toString('hex');

/**
 * Webhooks replicas with a 3 s retry horizon and fast retries. The circuit breaker's cooldown is
 * short so a replayed delivery is not held back by a circuit the failing endpoint opened; the
 * retention sweep is far off (it deletes dead rows two horizons after they were queued, 6 s here).
 */
const FAST_WEBHOOKS: Record<string, string> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_RETRY_HORIZON_MS: '3000',
  WEBHOOK_BACKOFF_BASE_MS: '100',
  WEBHOOK_BACKOFF_MAX_MS: '300',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_LEASE_MARGIN_MS: '500',
  WEBHOOK_DISPATCH_POLL_MS: '200',
  WEBHOOK_EVENTS_POLL_MS: '100',
  WEBHOOK_IDLE_POLL_MS: '300',
  WEBHOOK_CIRCUIT_COOLDOWN_MS: '200',
  WEBHOOK_SWEEP_MS: '600000',
};

interface Failure {
  id: number;
  noticeId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  body: string;
}
interface FailurePage {
  failures: Failure[];
  next: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
  request_id: string;
}

const hmac = (algorithm: 'sha1' | 'sha256', secret: string, raw: string) => createHmac(algorithm, secret).update(raw).digest('hex');

/**
 * The admin API of one api replica with the operator's token; every answer is kept and checked
 * against the OpenAPI document at the end of the test.
 */
class Admin {
  readonly seen: ApiResponse[] = [];

  constructor(private readonly base: () => string) {}

  async call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, template: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base()}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text (the OpenAPI check fails it)
    }
    const out: ApiResponse = { status: res.status, headers: res.headers, body: parsed, method: method.toLowerCase(), template };
    this.seen.push(out);
    return out;
  }

  async failures(appId: string, id: string): Promise<FailurePage> {
    const res = await this.call('GET', `/v1/admin/apps/${appId}/webhooks/${id}/failures`, FAILURES);
    if (res.status !== 200) throw new Error(`failures: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as FailurePage;
  }

  /** Every answer seen matches the document the api serves (status documented, body of its schema). */
  async expectDocumented(): Promise<void> {
    const doc = (await (await fetch(`${this.base()}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    // Ajv warns about every `format` it does not check (date-time…): noise here, not a finding.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(validateAgainstOpenApi(doc, this.seen)).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  }
}

/**
 * An HTTP listener on every loopback address (127.0.0.1 and ::1) that counts TCP connections, not
 * only requests: "never connects" means not even a connection was opened.
 */
class ConnectionCounter {
  connections = 0;
  requests = 0;

  private constructor(private readonly server: Server) {
    server.on('connection', () => (this.connections += 1));
    server.on('request', (_req, res) => {
      this.requests += 1;
      res.end('ok');
    });
  }

  static async start(): Promise<ConnectionCounter> {
    const counter = new ConnectionCounter(createServer());
    await new Promise<void>((resolve) => counter.server.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
    return counter;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The webhook failure paths, each configuration with a stack of its own (never both at once: every
 * webhooks replica on a database delivers every endpoint's rows), on a private Postgres so that no
 * other run's webhooks replicas (another retry horizon, WEBHOOK_ALLOW_PRIVATE on) take our rows.
 */
describe('webhooks failures', () => {
  let pg: PostgresServer;
  let databaseUrl: string;
  let db: Client;

  beforeAll(async () => {
    pg = await PostgresServer.start();
    databaseUrl = await pg.createParleyDatabase();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await pg?.stop();
  });

  const deliveryRows = async (endpointId: string) =>
    (
      await db.query<{ state: number; attempts: number; last_status: number | null; last_error: string | null }>(
        'SELECT state, attempts, last_status, last_error FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id',
        [endpointId],
      )
    ).rows;

  describe('an endpoint down for longer than the retry horizon', () => {
    let stack: Stack;
    let app: TestApp;
    let admin: Admin;
    const receivers: WebhookReceiver[] = [];

    beforeAll(async () => {
      stack = await Stack.start({
        replicas: { gateway: 1, presence: 1, webhooks: 2, api: 1 },
        databaseUrl,
        env: { ...FAST_TIMERS },
        appEnv: {
          webhooks: { ...FAST_WEBHOOKS, WEBHOOK_ALLOW_PRIVATE: 'true' },
          api: { ADMIN_TOKEN, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' },
        },
      });
      admin = new Admin(() => stack.apiUrls[0]!);
    });

    beforeEach(async () => {
      app = await createTestApp({ databaseUrl });
    });

    afterEach(async () => {
      await logoutAll();
      await Promise.all(receivers.splice(0).map((r) => r.stop()));
    });

    afterAll(() => stack?.stop());

    it('ends with a dead event that the admin API lists and replays on demand, once, with the same noticeId, signed', async () => {
      const hook = await WebhookReceiver.start();
      receivers.push(hook);
      let up = false;
      hook.respond = (_h, res) => void res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'down for maintenance');

      const created = await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks`, WEBHOOKS, { url: hook.url, eventTypes: ['user.online'] });
      expect(created.status).toBe(201);
      const { id, secret } = created.body as { id: string; secret: string };
      expect(created.body).toMatchObject({ appId: app.appId, url: hook.url, eventTypes: ['user.online'], enabled: true });

      const alice = newClient(app.appId, stack.gatewayUrls);
      await alice.login({ uid: 'alice' });

      // Retried (503 each time) until the horizon, then dead: listed by the admin API.
      const page = await waitFor(
        async () => {
          const p = await admin.failures(app.appId, id);
          if (p.failures.length === 0) throw new Error(`none yet; outbox ${JSON.stringify(await deliveryRows(id))}, ${hook.received.length} attempts received`);
          return p;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'a dead delivery' },
      );
      const attemptsWhenDead = hook.received.length;
      expect(attemptsWhenDead).toBeGreaterThan(1);
      const first = hook.received[0]!;
      expect(first.body).toMatchObject({ event: 'user.online', eventType: 101, payload: expect.objectContaining({ userId: 'alice' }) });
      expect(page).toEqual({
        failures: [
          {
            id: expect.any(Number),
            noticeId: first.body.noticeId,
            eventType: 'user.online',
            attempts: attemptsWhenDead,
            lastStatus: 503,
            lastError: 'HTTP 503',
            createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
            body: first.raw,
          },
        ],
        next: null,
      });
      // Every attempt was the same notification (one noticeId, the same bytes), signed.
      expect(new Set(hook.received.map((h) => h.raw))).toEqual(new Set([first.raw]));
      for (const h of hook.received) {
        expect(h.headers['agora-signature-v2']).toBe(hmac('sha256', secret, h.raw));
        expect(h.headers['agora-signature']).toBe(hmac('sha1', secret, h.raw));
      }
      expect(await deliveryRows(id)).toEqual([{ state: 2, attempts: attemptsWhenDead, last_status: 503, last_error: 'HTTP 503' }]);

      // The receiver is back; the operator replays: delivered exactly once more, same notification.
      up = true;
      const replayed = await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks/${id}/failures/replay`, REPLAY, {});
      expect(replayed).toMatchObject({ status: 200, body: { replayed: 1 } });
      await waitFor(() => hook.received.length > attemptsWhenDead, { timeoutMs: 10_000, what: 'the replayed delivery' });
      await waitFor(async () => (await deliveryRows(id))[0]?.state === 1, { timeoutMs: 5_000, what: 'the replayed delivery recorded as delivered' });
      const again = hook.received[attemptsWhenDead]!;
      expect(again.body.noticeId).toBe(first.body.noticeId);
      expect(again.raw).toBe(first.raw);
      expect(again.headers['content-type']).toBe('application/json');
      expect(again.headers['agora-signature-v2']).toBe(hmac('sha256', secret, again.raw));
      expect(again.headers['agora-signature']).toBe(hmac('sha1', secret, again.raw));
      expect(await deliveryRows(id)).toEqual([{ state: 1, attempts: 1, last_status: 200, last_error: null }]);
      expect(await admin.failures(app.appId, id)).toEqual({ failures: [], next: null });
      // Nothing left to replay; and nothing more arrives.
      expect(await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks/${id}/failures/replay`, REPLAY, {})).toMatchObject({
        status: 200,
        body: { replayed: 0 },
      });
      await sleep(1_000);
      expect(hook.received).toHaveLength(attemptsWhenDead + 1);
      await admin.expectDocumented();
    });
  });

  describe('without WEBHOOK_ALLOW_PRIVATE', () => {
    let stack: Stack;
    let app: TestApp;
    let admin: Admin;
    const counters: ConnectionCounter[] = [];

    beforeAll(async () => {
      stack = await Stack.start({
        replicas: { gateway: 1, presence: 1, webhooks: 2, api: 1 },
        databaseUrl,
        env: { ...FAST_TIMERS },
        // Plain http allowed (the receivers are local), private addresses not: as in production.
        appEnv: { webhooks: { ...FAST_WEBHOOKS }, api: { ADMIN_TOKEN, WEBHOOK_ALLOW_HTTP: 'true' } },
      });
      admin = new Admin(() => stack.apiUrls[0]!);
    });

    beforeEach(async () => {
      app = await createTestApp({ databaseUrl });
    });

    afterEach(async () => {
      await logoutAll();
      await Promise.all(counters.splice(0).map((c) => c.stop()));
    });

    afterAll(() => stack?.stop());

    async function counter(): Promise<ConnectionCounter> {
      const c = await ConnectionCounter.start();
      counters.push(c);
      return c;
    }

    it('refuses a private-address URL when an endpoint is created or changed', async () => {
      const local = await counter();
      const refused: Array<[url: string, host: string]> = [
        [`http://127.0.0.1:${local.port}/hook`, '127.0.0.1'],
        ['http://10.0.0.1/hook', '10.0.0.1'],
        ['http://172.16.5.4/hook', '172.16.5.4'],
        ['https://192.168.1.10/hook', '192.168.1.10'],
        ['http://[::1]:8080/hook', '::1'],
        ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
        ['http://0.0.0.0/', '0.0.0.0'],
        ['http://[fd00::1]/', 'fd00::1'],
        ['http://[fe80::1]/', 'fe80::1'],
        // Other spellings of loopback: decimal, short form, IPv4-mapped IPv6; and the name itself.
        ['http://2130706433/', '127.0.0.1'],
        ['http://127.1/', '127.0.0.1'],
        ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
        [`http://localhost:${local.port}/hook`, 'localhost'],
      ];
      for (const [url, host] of refused) {
        const res = await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks`, WEBHOOKS, { url });
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.body).toEqual({
          error: {
            code: 'invalid_webhook_url',
            message: `url: ${host} is a loopback, private or link-local address (this server does not allow them: WEBHOOK_ALLOW_PRIVATE)`,
          },
          request_id: expect.any(String),
        });
      }

      // A public name is accepted by the same server (the refusal is about the address)…
      const ok = await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks`, WEBHOOKS, { url: 'http://hooks.example.com/parley', enabled: false });
      expect(ok.status).toBe(201);
      const { id } = ok.body as { id: string };
      // …but cannot be changed to a private address afterwards.
      const changed = await admin.call('PATCH', `/v1/admin/apps/${app.appId}/webhooks/${id}`, WEBHOOK, { url: 'http://10.1.2.3/hook' });
      expect(changed.status).toBe(400);
      expect((changed.body as ErrorBody).error).toEqual({
        code: 'invalid_webhook_url',
        message: 'url: 10.1.2.3 is a loopback, private or link-local address (this server does not allow them: WEBHOOK_ALLOW_PRIVATE)',
      });
      // Nothing refused was stored.
      const list = await admin.call('GET', `/v1/admin/apps/${app.appId}/webhooks`, WEBHOOKS);
      expect(list.body).toEqual({ webhooks: [expect.objectContaining({ id, url: 'http://hooks.example.com/parley', enabled: false })] });
      expect((await admin.call('DELETE', `/v1/admin/apps/${app.appId}/webhooks/${id}`, WEBHOOK)).status).toBe(200);
      expect(local.connections).toBe(0);
      await admin.expectDocumented();
    });

    it('never connects to an endpoint whose host resolves to loopback: the delivery dies with the refusal', async () => {
      const local = await counter();
      // Saved behind the api's back (or while it allowed them): a loopback name and a loopback literal.
      const byName = randomUUID();
      const byLiteral = randomUUID();
      for (const [id, url] of [
        [byName, `http://localhost:${local.port}/hook`],
        [byLiteral, `http://127.0.0.1:${local.port}/hook`],
      ] as const) {
        await db.query(
          'INSERT INTO webhook_endpoints (id, app_id, url, secret, event_types, include_payload, updated_at) VALUES ($1, $2, $3, $4, $5, false, now())',
          [id, app.appId, url, randomBytes(16).toString('hex'), ['user.online']],
        );
      }

      // The api's test ping checks the resolved address too.
      const ping = await admin.call('POST', `/v1/admin/apps/${app.appId}/webhooks/${byName}/test`, TEST);
      expect(ping.status).toBe(400);
      expect((ping.body as ErrorBody).error).toEqual({
        code: 'private_address',
        message: expect.stringMatching(
          /^localhost resolves to (127\.0\.0\.1|::1), a loopback, private or link-local address \(WEBHOOK_ALLOW_PRIVATE is off\)$/,
        ),
      });

      const bob = newClient(app.appId, stack.gatewayUrls);
      await bob.login({ uid: 'bob' });

      // Each delivery is refused at every attempt until the horizon, then dead.
      const dead = async (id: string) =>
        (
          await waitFor(
            async () => {
              const p = await admin.failures(app.appId, id);
              if (p.failures.length === 0) throw new Error(`none yet; outbox ${JSON.stringify(await deliveryRows(id))}, ${local.connections} connections`);
              return p;
            },
            { timeoutMs: 15_000, intervalMs: 200, what: `a dead delivery to ${id}` },
          )
        ).failures;
      const [name, literal] = await Promise.all([dead(byName), dead(byLiteral)]);
      for (const [failures, host] of [
        [name, 'localhost'],
        [literal, '127.0.0.1'],
      ] as const) {
        expect(failures).toEqual([
          expect.objectContaining({
            eventType: 'user.online',
            attempts: expect.any(Number),
            lastStatus: null,
            lastError: `${host} resolves only to private or reserved addresses`,
          }),
        ]);
        expect(failures[0]!.attempts).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(failures[0]!.body)).toMatchObject({ event: 'user.online', payload: expect.objectContaining({ userId: 'bob' }) });
      }
      expect(await deliveryRows(byName)).toEqual([
        expect.objectContaining({ state: 2, last_status: null, last_error: 'localhost resolves only to private or reserved addresses' }),
      ]);
      expect(local.connections).toBe(0);
      expect(local.requests).toBe(0);
      await admin.expectDocumented();
    });
  });
});
