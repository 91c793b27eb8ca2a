import { RtmTokenBuilder } from 'agora-token';
import { createCustomerCredential, createTestApp, Stack, waitFor, type TestApp, type TestCredential } from '@parley/testing';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { ApiRecorder, lintOpenApi, validateAgainstOpenApi, type ApiResponse } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const USER_MD = '/v1/apps/{appid}/users/{uid}/metadata';
const CHANNEL_MD = '/v1/apps/{appid}/channels/{channel}/metadata';

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
type Metadata = Awaited<ReturnType<RtmClient['getUserMetadata']>>;
type WireMetadata = { majorRevision: number; items: { key: string; value: string; revision: number; updateTs: number; authorUserId: string }[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const values = (md: Metadata) => Object.fromEntries(md.items.map((i) => [i.getKey(), i.getValue()]));
const wireValues = (md: WireMetadata) => Object.fromEntries(md.items.map((i) => [i.key, i.value]));
const errorCode = (res: ApiResponse) => (res.body as { error?: { code?: string } }).error?.code;
const metadataOf = (res: ApiResponse) => (res.body as { metadata: WireMetadata }).metadata;
const majorOf = (res: ApiResponse) => (res.body as { majorRevision: number }).majorRevision;

/**
 * The server API's metadata endpoints (apps/api ×2) against SDK users on two gateways and two
 * attributes replicas: the same rules, revisions and compare-and-set as the SDK's calls, events to
 * SDK subscribers and members, the auth rules, and every answer checked against the OpenAPI document.
 */
describe('server API: metadata', () => {
  let stack: Stack;
  let api: [string, string];
  let gw: [string, string];
  const http = new ApiRecorder();
  let app: TestApp;
  let cred: TestCredential;

  /** ApiRecorder speaks GET/POST/DELETE; PUT and PATCH are recorded here the same way. */
  async function call(
    base: string,
    method: Method,
    path: string,
    template: string,
    opts: { auth?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    if (method === 'GET' || method === 'DELETE' || method === 'POST') return http.call(base, method, path, template, opts);
    const headers: Record<string, string> = { ...opts.headers, 'content-type': 'application/json;charset=utf-8' };
    if (opts.auth) headers['authorization'] = opts.auth;
    const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(opts.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text, and the OpenAPI check will fail it
    }
    const out: ApiResponse = { status: res.status, headers: res.headers, body, method: method.toLowerCase(), template };
    http.seen.push(out);
    return out;
  }

  type Opts = { body?: unknown; query?: string; auth?: string; headers?: Record<string, string> };
  const userPath = (a: TestApp, uid: string, query = '') => `/v1/apps/${a.appId}/users/${encodeURIComponent(uid)}/metadata${query}`;
  const channelPath = (a: TestApp, ch: string, query = '') => `/v1/apps/${a.appId}/channels/${encodeURIComponent(ch)}/metadata${query}`;
  const user = (base: string, method: Method, uid: string, opts: Opts = {}) =>
    call(base, method, userPath(app, uid, opts.query), USER_MD, { auth: cred.basic, ...opts });
  const channel = (base: string, method: Method, ch: string, opts: Opts = {}) =>
    call(base, method, channelPath(app, ch, opts.query), CHANNEL_MD, { auth: cred.basic, ...opts });

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, api: 2, attributes: 2, presence: 1, channel: 1 },
      env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '3000' },
      appEnv: { api: { AUTH_CACHE_TTL_MS: '0' } },
    });
    api = stack.apiUrls as [string, string];
    gw = stack.gatewayUrls as [string, string];
  });

  beforeEach(async () => {
    app = await createTestApp();
    cred = await createCustomerCredential({ appIds: [app.appId] });
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('sets, adds, updates, deletes and clears a user’s metadata (logged in or not); SDK subscribers see every write', async () => {
    const watcher = newClient(app.appId, gw[1]);
    await watcher.login({ uid: 'watcher' });
    const seen: Metadata[] = [];
    watcher.on('UserMetaDataUpdated', (_uid, md) => seen.push(md));
    await watcher.subscribeUserMetadata('ann'); // ann never logs in: metadata needs no session
    await waitFor(() => seen.length === 1, { what: 'the empty set' });

    const put = await user(api[0], 'PUT', 'ann', {
      body: {
        items: [
          { key: 'mood', value: 'happy' },
          { key: 'city', value: 'Oslo' },
        ],
        enableRecordUserId: true,
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ majorRevision: expect.any(Number), request_id: put.headers.get('x-request-id') });
    expect((await user(api[1], 'POST', 'ann', { body: { items: [{ key: 'lang', value: 'nb' }] } })).status).toBe(200);
    expect((await user(api[0], 'PATCH', 'ann', { body: { items: [{ key: 'mood', value: 'calm' }], majorRevision: majorOf(put) + 0 } })).status).toBe(412); // POST moved it on
    const patched = await user(api[0], 'PATCH', 'ann', { body: { items: [{ key: 'mood', value: 'calm' }] } });
    expect(patched.status).toBe(200);
    const got = await user(api[1], 'GET', 'ann');
    expect(got.body).toEqual({ metadata: expect.objectContaining({ majorRevision: majorOf(patched) }), request_id: got.headers.get('x-request-id') });
    expect(wireValues(metadataOf(got))).toEqual({ city: 'Oslo', lang: 'nb', mood: 'calm' });
    expect(metadataOf(got).items.find((i) => i.key === 'city')!.authorUserId).toBe('server'); // a customer credential acts as "server"
    expect(values(await watcher.getUserMetadata('ann'))).toEqual({ city: 'Oslo', lang: 'nb', mood: 'calm' });

    expect((await user(api[1], 'DELETE', 'ann', { query: '?keys=city,missing' })).status).toBe(200);
    expect(wireValues(metadataOf(await user(api[0], 'GET', 'ann')))).toEqual({ lang: 'nb', mood: 'calm' });
    const cleared = await user(api[0], 'DELETE', 'ann', { query: '?all=true' });
    expect(cleared.status).toBe(200);
    expect(metadataOf(await user(api[1], 'GET', 'ann'))).toEqual({ items: [], majorRevision: majorOf(cleared) });

    await waitFor(() => seen.length === 6, { what: 'every write at the subscriber' });
    expect(seen.map(values)).toEqual([
      {},
      { city: 'Oslo', mood: 'happy' },
      { city: 'Oslo', lang: 'nb', mood: 'happy' },
      { city: 'Oslo', lang: 'nb', mood: 'calm' },
      { lang: 'nb', mood: 'calm' },
      {},
    ]);
    expect(seen.at(-1)!.majorRevision).toBe(majorOf(cleared));

    // The SDK user's own writes and the API's land in one set.
    const ann = newClient(app.appId, gw[0]);
    await ann.login({ uid: 'ann' });
    const item = ann.createMetadataItem();
    item.setKey('own');
    item.setValue('sdk');
    await ann.addLocalUserMetadata([item]);
    expect(wireValues(metadataOf(await user(api[0], 'GET', 'ann')))).toEqual({ own: 'sdk' });
  });

  it('answers every violation with its typed error and changes nothing', async () => {
    const r = await user(api[0], 'PUT', 'bo', { body: { items: [{ key: 'a', value: '1' }] } });
    const before = metadataOf(await user(api[0], 'GET', 'bo'));
    const cases: [Method, Opts, number, string][] = [
      ['POST', { body: { items: [{ key: 'a', value: '2' }] } }, 409, 'duplicate_key'],
      ['PUT', { body: { items: [{ key: 'x' }, { key: 'x' }] } }, 409, 'duplicate_key'],
      ['PATCH', { body: { items: [{ key: 'missing', value: '2' }] } }, 409, 'key_not_found'],
      ['PATCH', { body: { items: [{ key: 'a', value: '2', revision: majorOf(r) + 1 }] } }, 412, 'outdated_revision'],
      ['DELETE', { query: `?all=true&majorRevision=${majorOf(r) - 1}` }, 412, 'outdated_revision'],
      ['DELETE', { query: `?keys=a&revisions=${majorOf(r) - 1}` }, 412, 'outdated_revision'],
      ['DELETE', { query: '?keys=a,b&revisions=1' }, 400, 'invalid_request'],
      ['PUT', { body: { items: [{ key: 'bad_key', value: '1' }] } }, 400, 'invalid_argument'],
      ['PUT', { body: { items: [{ key: 'a', value: 'x'.repeat(8193) }] } }, 400, 'size_overflow'],
      ['PUT', { body: { items: Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } }, 400, 'size_overflow'],
      ['PUT', { body: { items: [], majorRevison: 1 } }, 400, 'invalid_request'],
      ['PUT', { body: { items: [{ key: 'a', rev: 1 }] } }, 400, 'invalid_request'],
      ['PUT', { body: { items: [{ key: 'a', revision: -2 }] } }, 400, 'invalid_request'],
      ['DELETE', { query: '' }, 400, 'invalid_request'],
      ['DELETE', { query: '?keys=a&all=true' }, 400, 'invalid_request'],
    ];
    for (const [method, opts, status, code] of cases) {
      const res = await user(api[1], method, 'bo', opts);
      expect({ method, opts, status: res.status, code: errorCode(res) }).toEqual({ method, opts, status, code });
    }
    expect(metadataOf(await user(api[0], 'GET', 'bo'))).toEqual(before);
    // The right revision still wins.
    expect((await user(api[0], 'PATCH', 'bo', { body: { items: [{ key: 'a', value: '2', revision: majorOf(r) }], majorRevision: majorOf(r) } })).status).toBe(
      200,
    );
    const now = metadataOf(await user(api[0], 'GET', 'bo')).items.find((i) => i.key === 'a')!.revision;
    expect((await user(api[0], 'DELETE', 'bo', { query: `?keys=a,missing&revisions=${now},0` })).status).toBe(200);
    expect(metadataOf(await user(api[0], 'GET', 'bo')).items).toEqual([]);
  });

  it('writes channel metadata as the acting uid; members on both gateways get ChannelMetaDataUpdated', async () => {
    const [m1, m2] = [newClient(app.appId, gw[0]), newClient(app.appId, gw[1])];
    await Promise.all([m1.login({ uid: 'm1' }), m2.login({ uid: 'm2' })]);
    const updates: Metadata[][] = [[], []];
    for (const [i, c] of [m1, m2].entries()) {
      const ch = c.createChannel('hall');
      ch.on('ChannelMetaDataUpdated', (md) => updates[i]!.push(md));
      await ch.join();
    }
    expect(
      (
        await channel(api[0], 'PUT', 'hall', {
          headers: { 'x-parley-uid': 'ops' },
          body: { items: [{ key: 'topic', value: 'intro' }], enableRecordUserId: true, enableRecordTs: true },
        })
      ).status,
    ).toBe(200);
    const added = await channel(api[1], 'POST', 'hall', { body: { items: [{ key: 'seats', value: '3', revision: 0 }] } });
    expect(added.status).toBe(200);
    expect((await channel(api[0], 'PATCH', 'hall', { body: { items: [{ key: 'seats', value: '2' }], majorRevision: majorOf(added) } })).status).toBe(200);
    expect((await channel(api[1], 'DELETE', 'hall', { query: '?keys=seats' })).status).toBe(200);
    await waitFor(() => updates.every((u) => u.length === 4), { what: '4 updates at both members' });
    for (const u of updates)
      expect(u.map(values)).toEqual([{ topic: 'intro' }, { seats: '3', topic: 'intro' }, { seats: '2', topic: 'intro' }, { topic: 'intro' }]);
    const got = metadataOf(await channel(api[0], 'GET', 'hall'));
    expect(got.items).toEqual([{ key: 'topic', value: 'intro', revision: expect.any(Number), updateTs: expect.any(Number), authorUserId: 'ops' }]);
    expect(got.items[0]!.updateTs).toBeGreaterThan(Date.now() - 60_000);
    expect((await channel(api[0], 'GET', 'nobody-here')).body).toMatchObject({ metadata: { items: [], majorRevision: 0 } });
  });

  it('lets an RTM token write only its own user’s metadata and act only as itself; another app’s credential gets 403', async () => {
    const certified = await createTestApp({ certified: true });
    const tokenOf = (uid: string) => RtmTokenBuilder.buildToken(certified.appId, certified.certificate!, uid, 3600);
    const asBot = { 'x-agora-token': tokenOf('bot'), 'x-agora-uid': 'bot' };
    const at = (uid: string, query = '') => userPath(certified, uid, query);
    expect((await call(api[0], 'PUT', at('bot'), USER_MD, { headers: asBot, body: { items: [{ key: 'role', value: 'bot' }] } })).status).toBe(200);
    expect((await call(api[1], 'GET', at('ann'), USER_MD, { headers: asBot })).status).toBe(200); // reading anyone's is fine
    for (const [method, query, body] of [
      ['PUT', '', { items: [] }],
      ['PATCH', '', { items: [{ key: 'role', value: 'x' }] }],
      ['DELETE', '?all=true', undefined],
    ] as const) {
      const res = await call(api[1], method, at('ann', query), USER_MD, { headers: asBot, body });
      expect({ method, status: res.status, code: errorCode(res) }).toEqual({ method, status: 403, code: 'forbidden' });
    }
    const chPath = channelPath(certified, 'room');
    expect((await call(api[0], 'PUT', chPath, CHANNEL_MD, { headers: { ...asBot, 'x-parley-uid': 'ann' }, body: { items: [] } })).status).toBe(403);
    expect((await call(api[0], 'PUT', chPath, CHANNEL_MD, { headers: asBot, body: { items: [{ key: 'k', value: 'v' }] } })).status).toBe(200);

    const otherApp = await createTestApp();
    const other = await createCustomerCredential({ appIds: [otherApp.appId] });
    expect((await call(api[0], 'GET', at('bot'), USER_MD, { auth: other.basic })).status).toBe(403);
    expect((await call(api[1], 'PUT', chPath, CHANNEL_MD, { auth: other.basic, body: { items: [] } })).status).toBe(403);
    expect((await call(api[1], 'GET', chPath, CHANNEL_MD)).status).toBe(401);
    // The other app's own sets of those names are untouched.
    expect((await call(api[0], 'GET', userPath(otherApp, 'bot'), USER_MD, { auth: other.basic })).body).toMatchObject({
      metadata: { items: [], majorRevision: 0 },
    });
    expect((await call(api[0], 'GET', channelPath(otherApp, 'room'), CHANNEL_MD, { auth: other.basic })).body).toMatchObject({
      metadata: { items: [], majorRevision: 0 },
    });
    await sleep(50);
  });

  it('matches the OpenAPI document (linted) with every answer it gave', async () => {
    const doc = (await (await fetch(`${api[0]}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      expect(doc.paths[USER_MD]?.[method]).toBeDefined();
      expect(doc.paths[CHANNEL_MD]?.[method]).toBeDefined();
    }
    expect(http.seen.length).toBeGreaterThan(40);
    expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
  });
});
