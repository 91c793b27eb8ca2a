import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { testDatabaseUrl } from '@parley/testing';
import Ajv2020 from 'ajv/dist/2020';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { apiConfig, type ApiConfig } from '../src/config/api.config';

/**
 * "Medium" test of the admin API's webhook routes: the api in-process on the real Postgres test
 * database, a receiver on 127.0.0.1 for the test ping (so the api allows http and private
 * addresses), a second api with the production defaults (https only, no private addresses).
 */
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const ADMIN_TOKEN = 'admin-webhooks-int-test-token-0123';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface Answer {
  status: number;
  body: unknown;
  method: string;
  template: string;
}
/** Every answer, validated against the OpenAPI document at the end. */
const seen: Answer[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

async function call(base: string, method: Method, path: string, template: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : {}) as Body;
  seen.push({ status: res.status, body: parsed, method: method.toLowerCase(), template });
  return { status: res.status, body: parsed };
}

async function startApi(overrides: Partial<ApiConfig>): Promise<{ app: INestApplication; base: string }> {
  const config: ApiConfig = { ...apiConfig(), DATABASE_URL: testDatabaseUrl(), NATS_URL, LOG_LEVEL: 'silent', ADMIN_TOKEN, ...overrides };
  const app = await NestFactory.create(AppModule.register(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}` };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const T = {
  apps: '/v1/admin/apps',
  app: '/v1/admin/apps/{appid}',
  hooks: '/v1/admin/apps/{appid}/webhooks',
  hook: '/v1/admin/apps/{appid}/webhooks/{id}',
  test: '/v1/admin/apps/{appid}/webhooks/{id}/test',
  failures: '/v1/admin/apps/{appid}/webhooks/{id}/failures',
  replay: '/v1/admin/apps/{appid}/webhooks/{id}/failures/replay',
};

describe('admin API webhooks (in-process api, Postgres, a local receiver)', () => {
  const db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
  const apps = new Set<string>();
  let api: { app: INestApplication; base: string };
  let strict: { app: INestApplication; base: string };
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  let answerStatus = 200;

  const createApp = async () => {
    const res = await call(api.base, 'POST', '/v1/admin/apps', T.apps, {});
    expect(res.status).toBe(201);
    apps.add(res.body['appId'] as string);
    return res.body['appId'] as string;
  };
  const hooks = (appId: string) => `/v1/admin/apps/${appId}/webhooks`;

  /** A row of the outbox, as the dispatcher writes it. */
  const insertDelivery = async (appId: string, endpointId: string, state: number, eventType = 'user.online'): Promise<number> => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body, state, attempts, next_attempt_at, last_status, last_error)
       VALUES (gen_random_uuid(), $1, $2, $3::varchar, 'user:alice', '{"event":"' || $3::text || '"}', $4, 9, now() + interval '1 day', 503, 'HTTP 503') RETURNING id`,
      [endpointId, appId, eventType, state],
    );
    return Number(rows[0]!.id);
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answerStatus, { 'content-type': 'text/plain' }).end(answerStatus === 200 ? 'pong' : 'x'.repeat(5_000));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/parley/hook`;
    api = await startApi({ WEBHOOK_ALLOW_HTTP: true, WEBHOOK_ALLOW_PRIVATE: true });
    strict = await startApi({ WEBHOOK_ALLOW_HTTP: false, WEBHOOK_ALLOW_PRIVATE: false });
  });

  afterAll(async () => {
    for (const appId of apps) await call(api.base, 'DELETE', `/v1/admin/apps/${appId}`, T.app);
    await api?.app.close();
    await strict?.app.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await db.end();
  });

  it('adds an endpoint (secret shown once), lists and shows it without the secret, changes it and rotates its secret', async () => {
    const appId = await createApp();
    const created = await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl, eventTypes: ['user.online', 'message.peer'], includePayload: true });
    expect(created).toMatchObject({
      status: 201,
      body: {
        appId,
        url: hookUrl,
        eventTypes: ['user.online', 'message.peer'],
        includePayload: true,
        enabled: true,
        secret: expect.stringMatching(/^[\w-]{43}$/),
      },
    });
    const id = created.body['id'] as string;
    const { rows } = await db.query('SELECT secret, event_types FROM webhook_endpoints WHERE id = $1', [id]);
    expect(rows).toEqual([{ secret: created.body['secret'], event_types: ['user.online', 'message.peer'] }]);

    const listed = await call(api.base, 'GET', hooks(appId), T.hooks);
    expect(listed).toMatchObject({ status: 200, body: { webhooks: [{ id, url: hookUrl }] } });
    expect(JSON.stringify(listed.body)).not.toContain(created.body['secret']);
    const shown = await call(api.base, 'GET', `${hooks(appId)}/${id}`, T.hook);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty('secret');

    const disabled = await call(api.base, 'PATCH', `${hooks(appId)}/${id}`, T.hook, { enabled: false, eventTypes: [] });
    expect(disabled).toMatchObject({ status: 200, body: { enabled: false, eventTypes: [], includePayload: true } });
    expect(disabled.body).not.toHaveProperty('secret');
    const rotated = await call(api.base, 'PATCH', `${hooks(appId)}/${id}`, T.hook, { rotateSecret: true });
    expect(rotated).toMatchObject({ status: 200, body: { secret: expect.stringMatching(/^[\w-]{43}$/) } });
    expect(rotated.body['secret']).not.toBe(created.body['secret']);

    const given = await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl, secret: 'my-own-signing-secret', enabled: false });
    expect(given).toMatchObject({ status: 201, body: { secret: 'my-own-signing-secret', enabled: false, eventTypes: [] } });
    expect((await call(api.base, 'GET', hooks(appId), T.hooks)).body['webhooks']).toHaveLength(2);
  });

  it('refuses bad input, unknown apps and webhooks, and (with the default config) http and private addresses', async () => {
    const appId = await createApp();
    for (const body of [
      {},
      { url: hookUrl, eventTypes: ['user.nope'] },
      { url: hookUrl, extra: 1 },
      { url: 'ftp://example.com/x' },
      { url: 'https://user:pw@example.com/x' },
      { url: hookUrl, secret: 'short' },
    ]) {
      expect(await call(api.base, 'POST', hooks(appId), T.hooks, body)).toMatchObject({ status: 400 });
    }
    for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://[::1]/hook', 'https://localhost/hook', 'https://169.254.169.254/x']) {
      expect(await call(strict.base, 'POST', hooks(appId), T.hooks, { url })).toMatchObject({ status: 400, body: { error: { code: 'invalid_webhook_url' } } });
    }
    expect(await call(strict.base, 'POST', hooks(appId), T.hooks, { url: 'https://backend.example.com/hook' })).toMatchObject({ status: 201 });

    const unknownApp = 'f'.repeat(32);
    expect(await call(api.base, 'POST', hooks(unknownApp), T.hooks, { url: hookUrl })).toMatchObject({ status: 404 });
    expect(await call(api.base, 'GET', hooks(unknownApp), T.hooks)).toMatchObject({ status: 404 });
    const unknownId = randomUUID();
    expect(await call(api.base, 'GET', `${hooks(appId)}/${unknownId}`, T.hook)).toMatchObject({
      status: 404,
      body: { error: { message: `unknown webhook ${unknownId}` } },
    });
    expect(await call(api.base, 'PATCH', `${hooks(appId)}/${unknownId}`, T.hook, { enabled: true })).toMatchObject({ status: 404 });
    expect(await call(api.base, 'DELETE', `${hooks(appId)}/${unknownId}`, T.hook)).toMatchObject({ status: 404 });
    expect(await call(api.base, 'GET', `${hooks(appId)}/not-a-uuid`, T.hook)).toMatchObject({ status: 400 });
    expect(await call(api.base, 'PATCH', `${hooks(appId)}/${unknownId}`, T.hook, {})).toMatchObject({ status: 400 });
  });

  it('sends a signed test ping and reports the answer; refuses a private address when not allowed', async () => {
    const appId = await createApp();
    const created = await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl, enabled: false });
    const { id, secret } = created.body as { id: string; secret: string };
    received.length = 0;
    answerStatus = 200;
    const res = await call(api.base, 'POST', `${hooks(appId)}/${id}/test`, T.test);
    expect(res).toMatchObject({ status: 200, body: { ok: true, status: 200, body: 'pong', durationMs: expect.any(Number), error: null } });
    expect(received).toHaveLength(1);
    const [ping] = received;
    // Verified as Agora's sample does: HMAC of the raw body with the secret, hex.
    expect(ping!.headers['agora-signature']).toBe(createHmac('sha1', secret).update(ping!.body).digest('hex'));
    expect(ping!.headers['agora-signature-v2']).toBe(createHmac('sha256', secret).update(ping!.body).digest('hex'));
    expect(ping!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(ping!.body)).toEqual({
      noticeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      productId: expect.any(Number),
      eventType: 0,
      notifyMs: expect.any(Number),
      sid: expect.any(String),
      payload: { ping: true },
      event: 'webhook.test',
    });

    answerStatus = 500;
    const failed = await call(api.base, 'POST', `${hooks(appId)}/${id}/test`, T.test);
    expect(failed).toMatchObject({ status: 200, body: { ok: false, status: 500 } });
    expect(Buffer.byteLength(failed.body['body'] as string)).toBe(1024);
    answerStatus = 200;

    received.length = 0;
    expect(await call(strict.base, 'POST', `${hooks(appId)}/${id}/test`, T.test)).toMatchObject({ status: 400, body: { error: { code: 'private_address' } } });
    expect(received).toEqual([]);
  });

  it('lists dead deliveries a page at a time and replays some or all of them', async () => {
    const appId = await createApp();
    const id = (await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl })).body['id'] as string;
    const other = (await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl })).body['id'] as string;
    const dead = [await insertDelivery(appId, id, 2), await insertDelivery(appId, id, 2, 'channel.join'), await insertDelivery(appId, id, 2)];
    const pending = await insertDelivery(appId, id, 0);
    const othersDead = await insertDelivery(appId, other, 2);

    const first = await call(api.base, 'GET', `${hooks(appId)}/${id}/failures?limit=2`, T.failures);
    expect(first).toMatchObject({ status: 200, body: { next: String(dead[1]) } });
    expect(first.body['failures']).toEqual([
      {
        id: dead[0],
        noticeId: expect.any(String),
        eventType: 'user.online',
        attempts: 9,
        lastStatus: 503,
        lastError: 'HTTP 503',
        createdAt: expect.any(String),
        body: '{"event":"user.online"}',
      },
      expect.objectContaining({ id: dead[1], eventType: 'channel.join' }),
    ]);
    const second = await call(api.base, 'GET', `${hooks(appId)}/${id}/failures?limit=2&after=${dead[1]}`, T.failures);
    expect(second).toMatchObject({ status: 200, body: { failures: [{ id: dead[2] }], next: null } });
    expect(await call(api.base, 'GET', `${hooks(appId)}/${id}/failures?limit=0`, T.failures)).toMatchObject({ status: 400 });

    // Ids of another endpoint, not dead, or unknown are ignored.
    expect(await call(api.base, 'POST', `${hooks(appId)}/${id}/failures/replay`, T.replay, { ids: [dead[0], pending, othersDead, 999_999_999] })).toMatchObject(
      {
        status: 200,
        body: { replayed: 1 },
      },
    );
    const state = async (ids: number[]) =>
      (
        await db.query<{ state: number; attempts: number; due: boolean }>(
          'SELECT state, attempts, next_attempt_at <= now() AS due FROM webhook_deliveries WHERE id = ANY($1) ORDER BY id',
          [ids],
        )
      ).rows;
    expect(await state([dead[0]!])).toEqual([{ state: 0, attempts: 0, due: true }]);
    expect(await state([othersDead])).toEqual([{ state: 2, attempts: 9, due: false }]);
    expect(await call(api.base, 'POST', `${hooks(appId)}/${id}/failures/replay`, T.replay)).toMatchObject({ status: 200, body: { replayed: 2 } });
    expect(await state(dead)).toEqual([0, 1, 2].map(() => ({ state: 0, attempts: 0, due: true })));
    expect(await call(api.base, 'GET', `${hooks(appId)}/${id}/failures`, T.failures)).toMatchObject({ status: 200, body: { failures: [], next: null } });
    expect(await call(api.base, 'POST', `${hooks(appId)}/${id}/failures/replay`, T.replay, { ids: [] })).toMatchObject({ status: 400 });
    expect(await call(api.base, 'GET', `${hooks(appId)}/${randomUUID()}/failures`, T.failures)).toMatchObject({ status: 404 });
  });

  it('deletes an endpoint with its outbox rows, and an app with its endpoints and outbox rows', async () => {
    const appId = await createApp();
    const id = (await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl })).body['id'] as string;
    const kept = (await call(api.base, 'POST', hooks(appId), T.hooks, { url: hookUrl })).body['id'] as string;
    await insertDelivery(appId, id, 2);
    await insertDelivery(appId, id, 0);
    await insertDelivery(appId, kept, 2);
    expect(await call(api.base, 'DELETE', `${hooks(appId)}/${id}`, T.hook)).toMatchObject({ status: 200, body: { id, deletedDeliveries: 2 } });
    const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [appId])).rows[0]!.n;
    expect(await count('webhook_endpoints')).toBe(1);
    expect(await count('webhook_deliveries')).toBe(1);
    expect(await call(api.base, 'GET', `${hooks(appId)}/${id}`, T.hook)).toMatchObject({ status: 404 });

    const deleted = await call(api.base, 'DELETE', `/v1/admin/apps/${appId}`, T.app);
    apps.delete(appId);
    expect(deleted).toMatchObject({ status: 200, body: { deletedRows: { webhook_endpoints: 1, webhook_deliveries: 1 } } });
    expect(await count('webhook_endpoints')).toBe(0);
    expect(await count('webhook_deliveries')).toBe(0);
  });

  it('answers only as the OpenAPI document says (every answer of this test, validated)', async () => {
    const res = await fetch(`${api.base}/v1/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)));
    ajv.addFormat('uuid', (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s));
    ajv.addSchema(doc as object, 'doc');
    const problems: string[] = [];
    expect(seen.length).toBeGreaterThan(40);
    for (const r of seen) {
      if (!doc.paths[r.template]?.[r.method]?.responses[String(r.status)]) {
        problems.push(`${r.method} ${r.template} → ${r.status}: not documented`);
        continue;
      }
      const pointer = ['paths', r.template, r.method, 'responses', String(r.status), 'content', 'application/json', 'schema']
        .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      const validate = ajv.getSchema(`doc#/${pointer}`)!;
      if (!validate(r.body)) problems.push(`${r.method} ${r.template} → ${r.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(r.body)}`);
    }
    expect(problems).toEqual([]);
  });
});

/** Lints the document with @seriousme/openapi-schema-validator (an ESM CLI, so in a child process). */
function lintOpenApi(doc: unknown): { valid: boolean; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
  try {
    const output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
    return { valid: /"valid":\s*true/.test(output), output };
  } catch (err) {
    return { valid: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}
