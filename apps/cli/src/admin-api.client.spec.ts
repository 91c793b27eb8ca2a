import type { AppId } from '@parley/contracts';
import { AdminApiClient, HttpAppsRepository, HttpCustomersRepository, HttpWebhooksRepository } from './admin-api.client';
import { CliError } from './cli-error';
import { runCli } from './cli';
import { newDeps } from '../test/cli.mocks';

const BASE = 'http://api.test:8090';
const TOKEN = 'the-admin-token';
const ID = '0123456789abcdef0123456789abcdef' as AppId;
const KEY = '5f2c3b0e9a6d4c1b8e7f0a1b2c3d4e5f';
const CERT = 'c'.repeat(32);

interface Sent {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

const appBody = (over: Record<string, unknown> = {}) => ({
  appId: ID,
  name: null,
  certified: false,
  previousCertificateValidUntil: null,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...over,
});
const credentialBody = (over: Record<string, unknown> = {}) => ({
  customerKey: KEY,
  name: null,
  appIds: [],
  allApps: false,
  createdAt: '2026-11-25T10:00:00.000Z',
  revokedAt: null,
  ...over,
});
const error = (code: string, message: string) => ({ error: { code, message }, request_id: 'r' });

/** A stand-in for fetch: answers in order (status, JSON body), records what was sent; an extra call fails the test. */
function fakeApi(...answers: [number, unknown][]) {
  const sent: Sent[] = [];
  const fetchImpl = jest.fn(async (url: URL | string | Request, init?: RequestInit) => {
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${init?.method} ${String(url)}`);
    const headers = new Headers(init?.headers);
    sent.push({
      method: init?.method ?? 'GET',
      url: String(url),
      authorization: headers.get('authorization') ?? undefined,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    return new Response(JSON.stringify(answer[1]), { status: answer[0], headers: { 'content-type': 'application/json' } });
  });
  const client = new AdminApiClient(`${BASE}/`, TOKEN, fetchImpl as unknown as typeof fetch);
  return { sent, client, apps: new HttpAppsRepository(client), customers: new HttpCustomersRepository(client), webhooks: new HttpWebhooksRepository(client) };
}

async function rejection(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe('admin API client (PARLEY_API_URL)', () => {
  describe('webhooks', () => {
    const HOOK = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
    const hookBody = (over: Record<string, unknown> = {}) => ({
      id: HOOK,
      appId: ID,
      url: 'https://backend.example.com/hook',
      eventTypes: [],
      includePayload: false,
      enabled: true,
      createdAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:00:00.000Z',
      ...over,
    });
    const base = `/v1/admin/apps/${ID}/webhooks`;

    it('adds (with the secret), lists and removes endpoints through their routes', async () => {
      const { sent, webhooks } = fakeApi(
        [201, hookBody({ secret: 'S', eventTypes: ['user.online'] })],
        [200, { webhooks: [hookBody()] }],
        [200, { id: HOOK, deletedDeliveries: 0 }],
        [404, error('not_found', `unknown webhook ${HOOK}`)],
      );
      const created = await webhooks.create(ID, { url: 'https://backend.example.com/hook', eventTypes: ['user.online'], includePayload: false, enabled: true });
      expect(created).toEqual({
        webhook: {
          id: HOOK,
          appId: ID,
          url: 'https://backend.example.com/hook',
          eventTypes: ['user.online'],
          includePayload: false,
          enabled: true,
          createdAt: new Date('2026-11-25T10:00:00.000Z'),
          updatedAt: new Date('2026-11-25T10:00:00.000Z'),
        },
        secret: 'S',
      });
      expect((await webhooks.list(ID)).map((w) => w.id)).toEqual([HOOK]);
      expect(await webhooks.remove(ID, HOOK)).toBe(true);
      expect(await webhooks.remove(ID, HOOK)).toBe(false);
      expect(sent.map((s) => [s.method, s.url.slice(BASE.length), s.body])).toEqual([
        ['POST', base, { url: 'https://backend.example.com/hook', eventTypes: ['user.online'], includePayload: false, enabled: true }],
        ['GET', base, undefined],
        ['DELETE', `${base}/${HOOK}`, undefined],
        ['DELETE', `${base}/${HOOK}`, undefined],
      ]);
    });

    it('says unknown app for a 404 on the app’s routes', async () => {
      const { webhooks } = fakeApi([404, error('not_found', `unknown app ${ID}`)], [404, error('not_found', `unknown app ${ID}`)]);
      expect((await rejection(webhooks.list(ID))).message).toBe(`unknown app ${ID} (see: parley app list)`);
      expect((await rejection(webhooks.test(ID, HOOK))).message).toBe(`unknown app ${ID} (see: parley app list)`);
    });

    it('tests, pages failures and replays through their routes', async () => {
      const failure = {
        id: 3,
        noticeId: 'n',
        eventType: 'user.online',
        attempts: 4,
        lastStatus: null,
        lastError: 'ECONNREFUSED',
        createdAt: '2026-11-25T10:00:00.000Z',
        body: '{}',
      };
      const { sent, webhooks } = fakeApi(
        [200, { ok: true, status: 200, durationMs: 5, body: 'pong', error: null }],
        [200, { failures: [failure], next: '3' }],
        [200, { failures: [{ ...failure, id: 4 }], next: null }],
        [200, { replayed: 2 }],
        [200, { replayed: 0 }],
        [404, error('not_found', `unknown webhook ${HOOK}`)],
      );
      expect(await webhooks.test(ID, HOOK)).toEqual({ ok: true, status: 200, durationMs: 5, body: 'pong', error: null });
      expect(await webhooks.failures(ID, HOOK)).toEqual([
        { ...failure, createdAt: new Date(failure.createdAt) },
        { ...failure, id: 4, createdAt: new Date(failure.createdAt) },
      ]);
      expect(await webhooks.replay(ID, HOOK, [3, 4])).toBe(2);
      expect(await webhooks.replay(ID, HOOK, undefined)).toBe(0);
      expect(await webhooks.test(ID, HOOK)).toBeNull();
      expect(sent.map((s) => [s.method, s.url.slice(BASE.length), s.body])).toEqual([
        ['POST', `${base}/${HOOK}/test`, undefined],
        ['GET', `${base}/${HOOK}/failures?limit=1000`, undefined],
        ['GET', `${base}/${HOOK}/failures?limit=1000&after=3`, undefined],
        ['POST', `${base}/${HOOK}/failures/replay`, { ids: [3, 4] }],
        ['POST', `${base}/${HOOK}/failures/replay`, {}],
        ['POST', `${base}/${HOOK}/test`, undefined],
      ]);
    });
  });

  describe('apps', () => {
    it('creates an app with the bearer token; a taken id is null', async () => {
      const { sent, apps } = fakeApi([201, appBody({ name: 'demo', certified: true, certificate: CERT })], [409, error('app_exists', 'taken')]);
      expect(await apps.create(ID, { name: 'demo', certified: true })).toEqual({
        id: ID,
        name: 'demo',
        certified: true,
        certificate: CERT,
        previousCertificateUntil: null,
        createdAt: new Date('2026-11-25T10:00:00.000Z'),
        updatedAt: new Date('2026-11-25T10:00:00.000Z'),
      });
      expect(await apps.create(ID, { name: null, certified: false })).toBeNull();
      expect(sent).toEqual([
        { method: 'POST', url: `${BASE}/v1/admin/apps`, authorization: `Bearer ${TOKEN}`, body: { appId: ID, name: 'demo', certified: true } },
        { method: 'POST', url: `${BASE}/v1/admin/apps`, authorization: `Bearer ${TOKEN}`, body: { appId: ID, certified: false } },
      ]);
    });

    it('finds an app (certificate unknown), null when the api says unknown app', async () => {
      const until = '2026-11-26T10:00:00.000Z';
      const { sent, apps } = fakeApi([200, appBody({ certified: true, previousCertificateValidUntil: until })], [404, error('not_found', `unknown app ${ID}`)]);
      expect(await apps.find(ID)).toMatchObject({ certified: true, certificate: null, previousCertificateUntil: new Date(until) });
      expect(await apps.find(ID)).toBeNull();
      expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([`GET ${BASE}/v1/admin/apps/${ID}`, `GET ${BASE}/v1/admin/apps/${ID}`]);
    });

    it('follows the pages of a listing and sorts oldest first', async () => {
      const older = 'f'.repeat(32);
      const { sent, apps } = fakeApi(
        [200, { apps: [appBody({ createdAt: '2026-11-27T10:00:00.000Z' })], next: ID }],
        [200, { apps: [appBody({ appId: older, createdAt: '2026-11-20T10:00:00.000Z' })], next: null }],
      );
      expect((await apps.list()).map((a) => a.id)).toEqual([older, ID]);
      expect(sent.map((s) => s.url)).toEqual([`${BASE}/v1/admin/apps?limit=1000`, `${BASE}/v1/admin/apps?limit=1000&after=${ID}`]);
    });

    it('rotates, removes the certificate and deletes through their routes', async () => {
      const { sent, apps } = fakeApi(
        [200, appBody({ certified: true, certificate: CERT })],
        [200, appBody()],
        [200, { appId: ID, deletedRows: {}, credentialsUpdated: 0 }],
        [404, error('not_found', `unknown app ${ID}`)],
      );
      expect(await apps.rotateCertificate(ID, 60)).toMatchObject({ certificate: CERT });
      expect(await apps.removeCertificate(ID)).toMatchObject({ certified: false });
      expect(await apps.delete(ID)).toBe(true);
      expect(await apps.delete(ID)).toBe(false);
      expect(sent.map((s) => [s.method, s.url.slice(BASE.length), s.body])).toEqual([
        ['POST', `/v1/admin/apps/${ID}/certificate/rotate`, { overlapSeconds: 60 }],
        ['DELETE', `/v1/admin/apps/${ID}/certificate`, undefined],
        ['DELETE', `/v1/admin/apps/${ID}`, undefined],
        ['DELETE', `/v1/admin/apps/${ID}`, undefined],
      ]);
    });
  });

  describe('customers', () => {
    it('creates a credential for apps or for all apps, returning the secret', async () => {
      const { sent, customers } = fakeApi(
        [201, credentialBody({ name: 'b', appIds: [ID], customerSecret: 'S' })],
        [201, credentialBody({ allApps: true, customerSecret: 'T' })],
      );
      expect(await customers.create({ name: 'b', appIds: [ID], allApps: false })).toEqual({
        customer: { key: KEY, name: 'b', appIds: [ID], allApps: false, createdAt: new Date('2026-11-25T10:00:00.000Z'), revokedAt: null },
        secret: 'S',
      });
      expect((await customers.create({ name: null, appIds: [], allApps: true })).secret).toBe('T');
      expect(sent.map((s) => s.body)).toEqual([{ name: 'b', appIds: [ID] }, { allApps: true }]);
    });

    it('says "unknown app" as the database mode does', async () => {
      const { customers } = fakeApi([400, error('unknown_app', `unknown app ${ID}`)]);
      expect(await rejection(customers.create({ name: null, appIds: [ID], allApps: false }))).toMatchObject({
        message: `unknown app ${ID} (see: parley app list)`,
        exitCode: 2,
      });
    });

    it('lists every page and revokes (null for an unknown key)', async () => {
      const { sent, customers } = fakeApi(
        [200, { credentials: [credentialBody()], next: KEY }],
        [200, { credentials: [], next: null }],
        [200, credentialBody({ revokedAt: '2026-11-25T12:00:00.000Z' })],
        [404, error('not_found', `unknown customer key ${KEY}`)],
      );
      expect(await customers.list()).toHaveLength(1);
      expect(await customers.revoke(KEY)).toMatchObject({ revokedAt: new Date('2026-11-25T12:00:00.000Z') });
      expect(await customers.revoke(KEY)).toBeNull();
      expect(sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
        'GET /v1/admin/credentials?limit=1000',
        `GET /v1/admin/credentials?limit=1000&after=${KEY}`,
        `DELETE /v1/admin/credentials/${KEY}`,
        `DELETE /v1/admin/credentials/${KEY}`,
      ]);
    });
  });

  describe('failures, as one line with an exit code', () => {
    it.each<[string, number, unknown, string, number]>([
      ['a refused token', 401, error('unauthorized', 'invalid admin token'), 'refused the token (401): set PARLEY_ADMIN_TOKEN', 2],
      ['a disabled admin API', 403, error('forbidden', 'disabled'), 'is disabled (403): the api has no ADMIN_TOKEN', 2],
      ['a bad request', 400, error('invalid_request', 'name: must not be empty'), 'refused the request (400): name: must not be empty', 2],
      ['an unknown route (not the api)', 404, error('not_found', 'Cannot GET /x'), 'the admin API is not at http://api.test:8090 (404', 2],
      ['a failing api', 503, error('unavailable', 'a backing service is unavailable, retry'), 'failed (503): a backing service is unavailable', 1],
    ])('%s', async (_what, status, body, message, exitCode) => {
      const { apps } = fakeApi([status, body]);
      const err = await rejection(apps.find(ID));
      expect(err.message).toContain(message);
      expect(err.exitCode).toBe(exitCode);
    });

    it('an unreachable api (exit 1), a missing token and a bad URL (exit 2), before any request', async () => {
      const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      const down = new HttpAppsRepository(new AdminApiClient(BASE, TOKEN, jest.fn().mockRejectedValue(refused) as unknown as typeof fetch));
      expect(await rejection(down.list())).toMatchObject({
        message: `cannot reach the admin API at ${BASE} (ECONNREFUSED); check PARLEY_API_URL`,
        exitCode: 1,
      });
      const noFetch = jest.fn();
      const noToken = new HttpAppsRepository(new AdminApiClient(BASE, undefined, noFetch as unknown as typeof fetch));
      expect(await rejection(noToken.list())).toMatchObject({ message: expect.stringContaining('PARLEY_ADMIN_TOKEN is not'), exitCode: 2 });
      const badUrl = new HttpAppsRepository(new AdminApiClient('not a url', TOKEN, noFetch as unknown as typeof fetch));
      expect(await rejection(badUrl.list())).toMatchObject({ message: 'PARLEY_API_URL is not a URL: "not a url"', exitCode: 2 });
      expect(noFetch).not.toHaveBeenCalled();
    });
  });

  it('gives the commands the same output as the database mode (parley app list, customer revoke)', async () => {
    const { apps, customers } = fakeApi(
      [200, { apps: [appBody({ name: 'demo' }), appBody({ appId: 'f'.repeat(32), certified: true, createdAt: '2026-11-26T08:30:05.123Z' })], next: null }],
      [200, credentialBody({ revokedAt: '2026-11-25T12:00:00.000Z' })],
    );
    const d = newDeps(apps, customers);
    expect(await runCli(['app', 'list'], d.deps)).toBe(0);
    expect(await runCli(['customer', 'revoke', KEY], d.deps)).toBe(0);
    expect(d.out).toEqual([
      'ID                                NAME  CERTIFIED  CREATED',
      '0123456789abcdef0123456789abcdef  demo  no         2026-11-25T10:00:00Z',
      'ffffffffffffffffffffffffffffffff  -     yes        2026-11-26T08:30:05Z',
      `revoked customer key ${KEY}`,
    ]);
  });
});
