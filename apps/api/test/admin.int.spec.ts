import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PeerState } from '@parley/contracts';
import { Subjects, type StatusSnapshotRequest } from '@parley/contracts/internal';
import { APP_DATA_TABLES, connectNatsClients, type NatsClients } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { build006, build007 } from '@parley/tokens';
import Ajv2020 from 'ajv/dist/2020';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { apiConfig, type ApiConfig } from '../src/config/api.config';

/**
 * "Medium" test of the admin API: the api in-process (AppModule, as main.ts runs it) on the real
 * Postgres test database and NATS, driven over HTTP. A presence stand-in answers the status queries
 * of this test's apps, so an authenticated /v1 call gets 200.
 */
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const ADMIN_TOKEN = 'admin-int-test-token-0123456789';
const HEX32 = /^[0-9a-f]{32}$/;
const NO_HISTORY_SETTINGS = { storeAll: false, retentionMs: null, maxBytes: null };

interface Answer {
  status: number;
  body: unknown;
  method: string;
  template: string;
}

/** The fields of the answers this test reads; the OpenAPI check validates their whole shapes. */
interface Body {
  appId?: string;
  certificate?: string | null;
  previousCertificateValidUntil?: string | null;
  customerKey?: string;
  revokedAt?: string | null;
  next?: string | null;
  apps?: { appId: string }[];
  credentials?: { customerKey: string }[];
  deletedRows?: Record<string, number>;
}

/** Every admin answer, validated against the OpenAPI document at the end. */
const seen: Answer[] = [];

async function call(
  base: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  opts: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string>; template?: string } = {},
): Promise<{ status: number; body: Body }> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : {}) as Body;
  if (opts.template) seen.push({ status: res.status, body: parsed, method: method.toLowerCase(), template: opts.template });
  return { status: res.status, body: parsed };
}

async function startApi(overrides: Partial<ApiConfig>): Promise<{ app: INestApplication; base: string }> {
  const config: ApiConfig = { ...apiConfig(), DATABASE_URL: testDatabaseUrl(), NATS_URL, LOG_LEVEL: 'silent', ...overrides };
  const app = await NestFactory.create(AppModule.register(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}` };
}

describe('admin API (in-process api, Postgres, NATS)', () => {
  const db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
  const ours = new Set<string>();
  let api: { app: INestApplication; base: string };
  let disabled: { app: INestApplication; base: string };
  let nats: NatsClients;
  let base: string;

  const admin = {
    createApp: async (body: Record<string, unknown> = {}) => {
      const res = await call(base, 'POST', '/v1/admin/apps', { body, template: '/v1/admin/apps' });
      expect(res.status).toBe(201);
      ours.add(res.body.appId!);
      return res.body as { appId: string; certificate: string | null; certified: boolean; name: string | null };
    },
    createCredential: async (body: Record<string, unknown>) => {
      const res = await call(base, 'POST', '/v1/admin/credentials', { body, template: '/v1/admin/credentials' });
      expect(res.status).toBe(201);
      return res.body as { customerKey: string; customerSecret: string };
    },
  };

  /** GET /v1/apps/{appid}/users/status?uids=a as a token's or a credential's holder: the status code. */
  const statusQuery = async (appId: string, auth: { token: string; uid: string } | { key: string; secret: string }) => {
    const headers: Record<string, string> =
      'token' in auth
        ? { 'x-agora-token': auth.token, 'x-agora-uid': auth.uid }
        : { authorization: `Basic ${Buffer.from(`${auth.key}:${auth.secret}`).toString('base64')}` };
    return (await call(base, 'GET', `/v1/apps/${appId}/users/status?uids=a`, { token: null, headers })).status;
  };

  beforeAll(async () => {
    nats = await connectNatsClients({ servers: NATS_URL, name: 'api-admin-test' });
    nats.bus.serve(
      Subjects.presence.statuses,
      (data) => ({ states: (data as StatusSnapshotRequest).uids.map(() => PeerState.OFFLINE), seqs: (data as StatusSnapshotRequest).uids.map(() => 0) }),
      {
        accepts: (data) => ours.has((data as StatusSnapshotRequest)?.appId),
      },
    );
    await nats.bus.flush();
    api = await startApi({ ADMIN_TOKEN, AUTH_CACHE_TTL_MS: 0 });
    disabled = await startApi({ ADMIN_TOKEN: '' });
    base = api.base;
  });

  afterAll(async () => {
    for (const appId of ours) await call(base, 'DELETE', `/v1/admin/apps/${appId}`);
    await db.query("DELETE FROM customer_credentials WHERE name = 'admin-int-test'");
    await api?.app.close();
    await disabled?.app.close();
    await nats?.close();
    await db.end();
  });

  it('answers 401 without or with a wrong token, 403 everyone when ADMIN_TOKEN is empty, touching nothing', async () => {
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM apps')).rows[0]!.n;
    for (const token of [null, 'wrong-token', '']) {
      for (const [method, path, template] of [
        ['POST', '/v1/admin/apps', '/v1/admin/apps'],
        ['GET', '/v1/admin/apps', '/v1/admin/apps'],
        ['GET', '/v1/admin/credentials', '/v1/admin/credentials'],
        ['DELETE', `/v1/admin/apps/${'f'.repeat(32)}`, '/v1/admin/apps/{appid}'],
      ] as const) {
        const res = await call(base, method, path, { token, body: method === 'POST' ? {} : undefined, template });
        expect(res).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' }, request_id: expect.any(String) } });
      }
    }
    for (const token of [null, ADMIN_TOKEN, '']) {
      const res = await call(disabled.base, 'POST', '/v1/admin/apps', { token, body: {}, template: '/v1/admin/apps' });
      expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM apps')).rows[0]!.n).toBe(before);
  });

  it('creates static and certified apps, shows and lists them without certificates, refuses a taken id', async () => {
    const plain = await admin.createApp();
    expect(plain).toEqual({
      appId: expect.stringMatching(HEX32),
      name: null,
      certified: false,
      certificate: null,
      previousCertificateValidUntil: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      history: NO_HISTORY_SETTINGS,
    });
    const certified = await admin.createApp({ name: ' certified app ', certified: true });
    expect(certified).toMatchObject({ name: 'certified app', certified: true, certificate: expect.stringMatching(HEX32) });
    const { rows } = await db.query('SELECT certificate FROM apps WHERE id = $1', [certified.appId]);
    expect(rows).toEqual([{ certificate: certified.certificate }]);

    const shown = await call(base, 'GET', `/v1/admin/apps/${certified.appId}`, { template: '/v1/admin/apps/{appid}' });
    expect(shown).toEqual({
      status: 200,
      body: {
        appId: certified.appId,
        name: 'certified app',
        certified: true,
        previousCertificateValidUntil: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        history: NO_HISTORY_SETTINGS,
      },
    });

    // Walk the pages (2 apps each) until both are seen; no certificate anywhere.
    const listed = new Map<string, unknown>();
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await call(base, 'GET', `/v1/admin/apps?limit=2${after ? `&after=${after}` : ''}`, { template: '/v1/admin/apps' });
      expect(page.status).toBe(200);
      expect(page.body.apps!.length).toBeLessThanOrEqual(2);
      for (const a of page.body.apps!) listed.set(a.appId, a);
      after = page.body.next ?? null;
      pages++;
    } while (after !== null && !(listed.has(plain.appId) && listed.has(certified.appId)) && pages < 10_000);
    expect(listed.get(certified.appId)).toEqual(shown.body);
    expect(listed.get(plain.appId)).toMatchObject({ certified: false });
    expect(JSON.stringify([...listed.values()])).not.toContain(certified.certificate);

    const taken = await call(base, 'POST', '/v1/admin/apps', { body: { appId: plain.appId, certified: true }, template: '/v1/admin/apps' });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'app_exists' } } });
    expect((await db.query('SELECT certificate FROM apps WHERE id = $1', [plain.appId])).rows).toEqual([{ certificate: null }]);

    const unknown = await call(base, 'GET', `/v1/admin/apps/${'e'.repeat(32)}`, { template: '/v1/admin/apps/{appid}' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('changes an app’s name and history settings with PATCH (only the fields given; null resets), 404 for an unknown app', async () => {
    const app = await admin.createApp({ name: 'before' });
    const path = `/v1/admin/apps/${app.appId}`;
    const template = '/v1/admin/apps/{appid}';
    const changed = await call(base, 'PATCH', path, { body: { history: { storeAll: true, retentionMs: 3_600_000, maxBytes: 1024 ** 4 } }, template });
    expect(changed).toMatchObject({
      status: 200,
      body: { appId: app.appId, name: 'before', history: { storeAll: true, retentionMs: 3_600_000, maxBytes: 1024 ** 4 } },
    });
    const row = async () =>
      (
        await db.query<{ name: string | null; s: boolean; r: string | null; m: string | null }>(
          'SELECT name, history_store_all AS s, history_retention_ms AS r, history_max_bytes AS m FROM apps WHERE id = $1',
          [app.appId],
        )
      ).rows[0];
    expect(await row()).toEqual({ name: 'before', s: true, r: '3600000', m: String(1024 ** 4) });

    const reset = await call(base, 'PATCH', path, { body: { name: null, history: { retentionMs: null } }, template });
    expect(reset).toMatchObject({ status: 200, body: { name: null, history: { storeAll: true, retentionMs: null, maxBytes: 1024 ** 4 } } });
    expect(await call(base, 'GET', path, { template })).toMatchObject({ status: 200, body: reset.body as object });
    expect(await call(base, 'PATCH', path, { body: {}, template })).toMatchObject({ status: 200, body: reset.body as object });

    for (const history of [
      { retentionMs: 3_599_999 },
      { retentionMs: 90 * 86_400_000 + 1 },
      { maxBytes: 1024 },
      { maxBytes: 1024 ** 4 + 1 },
      { bogus: true },
    ]) {
      expect(await call(base, 'PATCH', path, { body: { history }, template })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    }
    expect(await row()).toEqual({ name: null, s: true, r: null, m: String(1024 ** 4) });
    const unknown = await call(base, 'PATCH', `/v1/admin/apps/${'e'.repeat(32)}`, { body: { history: { storeAll: true } }, template });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it.each<[string, 'GET' | 'POST' | 'DELETE', string, string, { body?: unknown; rawBody?: string }]>([
    ['an unknown field', 'POST', '/v1/admin/apps', '/v1/admin/apps', { body: { bogus: 1 } }],
    ['certified not a boolean', 'POST', '/v1/admin/apps', '/v1/admin/apps', { body: { certified: 'yes' } }],
    ['an empty name', 'POST', '/v1/admin/apps', '/v1/admin/apps', { body: { name: '  ' } }],
    ['a bad app id', 'POST', '/v1/admin/apps', '/v1/admin/apps', { body: { appId: 'short' } }],
    ['a body that is not JSON', 'POST', '/v1/admin/apps', '/v1/admin/apps', { rawBody: '{nope' }],
    ['limit 0', 'GET', '/v1/admin/apps?limit=0', '/v1/admin/apps', {}],
    ['an unknown query parameter', 'GET', '/v1/admin/apps?bogus=1', '/v1/admin/apps', {}],
    ['a bad appid in the path', 'GET', '/v1/admin/apps/short', '/v1/admin/apps/{appid}', {}],
    [
      'an overlap over a week',
      'POST',
      `/v1/admin/apps/${'f'.repeat(32)}/certificate/rotate`,
      '/v1/admin/apps/{appid}/certificate/rotate',
      { body: { overlapSeconds: 604_801 } },
    ],
    [
      'a negative overlap',
      'POST',
      `/v1/admin/apps/${'f'.repeat(32)}/certificate/rotate`,
      '/v1/admin/apps/{appid}/certificate/rotate',
      { body: { overlapSeconds: -1 } },
    ],
    [
      'a fractional overlap',
      'POST',
      `/v1/admin/apps/${'f'.repeat(32)}/certificate/rotate`,
      '/v1/admin/apps/{appid}/certificate/rotate',
      { body: { overlapSeconds: 1.5 } },
    ],
    ['a credential without apps', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', { body: { name: 'x' } }],
    ['a credential with no body', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', {}],
    ['a credential with an empty appIds', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', { body: { appIds: [] } }],
    ['a credential with appIds and allApps', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', { body: { appIds: ['f'.repeat(32)], allApps: true } }],
    ['a credential with allApps false only', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', { body: { allApps: false } }],
    ['a credential granted an unknown app', 'POST', '/v1/admin/credentials', '/v1/admin/credentials', { body: { appIds: ['f'.repeat(32)] } }],
    ['a bad customer key', 'DELETE', '/v1/admin/credentials/NOT-A-KEY', '/v1/admin/credentials/{key}', {}],
  ])('answers 400 to %s', async (_what, method, path, template, opts) => {
    const res = await call(base, method, path, { ...opts, template });
    expect(res).toMatchObject({
      status: 400,
      body: { error: { code: expect.stringMatching(/^(invalid_request|unknown_app)$/), message: expect.any(String) } },
    });
  });

  it('rotates a certificate: old tokens verify during the overlap, not after an overlap of 0; certifies and un-certifies a static app', async () => {
    const app = await admin.createApp({ certified: true });
    const oldToken = build007(app.appId, app.certificate!, 'a', 600);
    expect(await statusQuery(app.appId, { token: oldToken, uid: 'a' })).toBe(200);

    const rotated = await call(base, 'POST', `/v1/admin/apps/${app.appId}/certificate/rotate`, {
      body: { overlapSeconds: 3600 },
      template: '/v1/admin/apps/{appid}/certificate/rotate',
    });
    expect(rotated.status).toBe(200);
    const second = rotated.body.certificate as string;
    expect(second).toMatch(HEX32);
    expect(second).not.toBe(app.certificate);
    const until = Date.parse(rotated.body.previousCertificateValidUntil as string);
    expect(until).toBeGreaterThan(Date.now() + 3_500_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(await statusQuery(app.appId, { token: oldToken, uid: 'a' })).toBe(200);
    expect(await statusQuery(app.appId, { token: build006(app.appId, second, 'a', Math.floor(Date.now() / 1000) + 600), uid: 'a' })).toBe(200);
    const shown = await call(base, 'GET', `/v1/admin/apps/${app.appId}`, { template: '/v1/admin/apps/{appid}' });
    expect(shown.body).toMatchObject({ certified: true, previousCertificateValidUntil: rotated.body.previousCertificateValidUntil });

    // Rotating again without overlap: neither older certificate verifies any more.
    const third = await call(base, 'POST', `/v1/admin/apps/${app.appId}/certificate/rotate`, {
      body: { overlapSeconds: 0 },
      template: '/v1/admin/apps/{appid}/certificate/rotate',
    });
    expect(third).toMatchObject({ status: 200, body: { previousCertificateValidUntil: null, certificate: expect.stringMatching(HEX32) } });
    expect(await statusQuery(app.appId, { token: oldToken, uid: 'a' })).toBe(401);
    expect(await statusQuery(app.appId, { token: build007(app.appId, second, 'a', 600), uid: 'a' })).toBe(401);
    expect(await statusQuery(app.appId, { token: build007(app.appId, third.body.certificate!, 'a', 600), uid: 'a' })).toBe(200);

    // A static app: certifying it is a rotation from none (no previous certificate, whatever the overlap).
    const plain = await admin.createApp();
    const certified = await call(base, 'POST', `/v1/admin/apps/${plain.appId}/certificate/rotate`, { template: '/v1/admin/apps/{appid}/certificate/rotate' });
    expect(certified).toMatchObject({ status: 200, body: { certified: true, certificate: expect.stringMatching(HEX32), previousCertificateValidUntil: null } });
    expect(await statusQuery(plain.appId, { token: build007(plain.appId, certified.body.certificate!, 'a', 600), uid: 'a' })).toBe(200);
    const statik = await call(base, 'DELETE', `/v1/admin/apps/${plain.appId}/certificate`, { template: '/v1/admin/apps/{appid}/certificate' });
    expect(statik).toMatchObject({ status: 200, body: { certified: false, previousCertificateValidUntil: null } });
    expect(await statusQuery(plain.appId, { token: build007(plain.appId, certified.body.certificate!, 'a', 600), uid: 'a' })).toBe(401);

    const unknown = await call(base, 'POST', `/v1/admin/apps/${'e'.repeat(32)}/certificate/rotate`, {
      body: {},
      template: '/v1/admin/apps/{appid}/certificate/rotate',
    });
    expect(unknown.status).toBe(404);
  });

  it('creates credentials (secret once, stored hashed), lists them without secrets, revokes them (401 at once with AUTH_CACHE_TTL_MS=0)', async () => {
    const app = await admin.createApp();
    const other = await admin.createApp();
    const cred = await admin.createCredential({ name: 'admin-int-test', appIds: [app.appId, app.appId] });
    expect(cred).toEqual({
      customerKey: expect.stringMatching(HEX32),
      customerSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      name: 'admin-int-test',
      appIds: [app.appId],
      allApps: false,
      createdAt: expect.any(String),
      revokedAt: null,
    });
    const { rows } = await db.query<{ secret_hash: string }>('SELECT secret_hash FROM customer_credentials WHERE id = $1', [cred.customerKey]);
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.secret_hash).not.toContain(cred.customerSecret);

    const every = await admin.createCredential({ name: 'admin-int-test', allApps: true });
    const auth = { key: cred.customerKey, secret: cred.customerSecret };
    expect(await statusQuery(app.appId, auth)).toBe(200);
    expect(await statusQuery(other.appId, auth)).toBe(403);
    expect(await statusQuery(other.appId, { key: every.customerKey, secret: every.customerSecret })).toBe(200);
    expect(await statusQuery(app.appId, { ...auth, secret: `${cred.customerSecret}x` })).toBe(401);

    const listed: { customerKey: string }[] = [];
    let after: string | null = null;
    do {
      const page = await call(base, 'GET', `/v1/admin/credentials?limit=500${after ? `&after=${after}` : ''}`, { template: '/v1/admin/credentials' });
      expect(page.status).toBe(200);
      listed.push(...page.body.credentials!);
      after = page.body.next ?? null;
    } while (after !== null);
    expect(listed.find((c) => c.customerKey === cred.customerKey)).toEqual({ ...cred, customerSecret: undefined, createdAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(cred.customerSecret);
    expect(JSON.stringify(listed)).not.toContain('secret');

    const revoked = await call(base, 'DELETE', `/v1/admin/credentials/${cred.customerKey}`, { template: '/v1/admin/credentials/{key}' });
    expect(revoked).toMatchObject({ status: 200, body: { customerKey: cred.customerKey, revokedAt: expect.any(String) } });
    expect(await statusQuery(app.appId, auth)).toBe(401);
    const again = await call(base, 'DELETE', `/v1/admin/credentials/${cred.customerKey}`, { template: '/v1/admin/credentials/{key}' });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const unknown = await call(base, 'DELETE', `/v1/admin/credentials/${'0'.repeat(32)}`, { template: '/v1/admin/credentials/{key}' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    await call(base, 'DELETE', `/v1/admin/credentials/${every.customerKey}`);
  });

  it("deletes an app with its rows of every table keyed by app_id and its credential grants, leaving other apps' rows", async () => {
    const doomed = await admin.createApp({ certified: true });
    const kept = await admin.createApp();
    // Every base table with an app_id column, found in the database: a new one is covered (or fails here).
    // (Partitions of a partitioned table are its rows' storage, not tables of their own.)
    const { rows: tables } = await db.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
       JOIN pg_class pc ON pc.relname = c.table_name AND pc.relnamespace = current_schema()::regnamespace
       WHERE c.table_schema = current_schema() AND c.column_name = 'app_id' AND t.table_type = 'BASE TABLE' AND NOT pc.relispartition ORDER BY 1`,
    );
    await ensureDayPartition(db, 'history_messages', new Date(Date.now() + 3_600_000));
    expect(tables.map((t) => t.table_name).sort()).toEqual([...APP_DATA_TABLES].sort());
    for (const { table_name } of tables) for (const appId of [doomed.appId, kept.appId]) await insertRow(db, table_name, appId);
    const cred = await admin.createCredential({ name: 'admin-int-test', appIds: [doomed.appId, kept.appId] });

    const deleted = await call(base, 'DELETE', `/v1/admin/apps/${doomed.appId}`, { template: '/v1/admin/apps/{appid}' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ appId: doomed.appId, deletedRows: expect.any(Object), credentialsUpdated: 1 });
    expect(Object.keys(deleted.body.deletedRows!).sort()).toEqual([...APP_DATA_TABLES].sort());
    for (const { table_name } of tables) {
      const count = async (appId: string) =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table_name} WHERE app_id = $1`, [appId])).rows[0]!.n;
      expect({ table_name, doomed: await count(doomed.appId) }).toEqual({ table_name, doomed: 0 });
      // Sessions and memberships on a gateway that never beats may be swept by a stack's presence
      // meanwhile, and the sweep records its logouts and leaves in app_events: at least the seeded row stays.
      const n = await count(kept.appId);
      if (table_name === 'sessions' || table_name === 'channel_members') expect({ table_name, kept: n <= 1 }).toEqual({ table_name, kept: true });
      else if (table_name === 'app_events') expect({ table_name, kept: n >= 1 && n <= 3 }).toEqual({ table_name, kept: true });
      else expect({ table_name, kept: await count(kept.appId) }).toEqual({ table_name, kept: 1 });
    }
    expect((await db.query('SELECT id FROM apps WHERE id = $1', [doomed.appId])).rows).toEqual([]);
    expect((await db.query('SELECT app_ids FROM customer_credentials WHERE id = $1', [cred.customerKey])).rows).toEqual([{ app_ids: [kept.appId] }]);
    expect(await statusQuery(doomed.appId, { token: build007(doomed.appId, doomed.certificate!, 'a', 600), uid: 'a' })).toBe(401);

    const again = await call(base, 'DELETE', `/v1/admin/apps/${doomed.appId}`, { template: '/v1/admin/apps/{appid}' });
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    ours.delete(doomed.appId);
    await call(base, 'DELETE', `/v1/admin/credentials/${cred.customerKey}`);
  });

  it('documents every admin answer it gave (OpenAPI 3.1, valid document, admin bearer scheme)', async () => {
    const doc = (await call(base, 'GET', '/v1/openapi.json', { token: null })).body as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.components.securitySchemes['admin']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)));
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

/**
 * The day partition (history_messages_YYYYMMDD, UTC) that holds `at`, as the history service creates
 * them ahead; made here when no history service ran on this database.
 */
async function ensureDayPartition(db: Pool, table: string, at: Date): Promise<void> {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const next = new Date(day.getTime() + 86_400_000);
  const name = `${table}_${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF ${table} FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')`);
  } catch (err) {
    // A history service created it meanwhile.
    if (!/already exists|duplicate key/i.test((err as Error).message)) throw err;
  }
}

/** One row for `appId` in `table`: every NOT NULL column without a default gets a value of its type. */
async function insertRow(db: Pool, table: string, appId: string): Promise<void> {
  const { rows: columns } = await db.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'app_id'`,
    [table],
  );
  const value = (type: string, maxLength: number | null): string => {
    if (/char|text/.test(type)) return `'${`x${Math.random().toString(36).slice(2, 6)}`.slice(0, maxLength ?? undefined)}'`;
    if (/int|numeric/.test(type)) return '1';
    if (type === 'uuid') return 'gen_random_uuid()';
    if (type === 'bytea') return `'\\x00'::bytea`;
    if (type.startsWith('timestamp')) return `now() + interval '1 hour'`;
    if (type === 'boolean') return 'false';
    throw new Error(`${table}: no test value for a ${type} column`);
  };
  const names = ['app_id', ...columns.map((c) => c.column_name)];
  const values = ['$1', ...columns.map((c) => value(c.data_type, c.character_maximum_length))];
  await db.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${values.join(', ')})`, [appId]);
}

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
