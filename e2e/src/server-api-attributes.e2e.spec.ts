import { RtmTokenBuilder } from 'agora-token';
import { createCustomerCredential, createTestApp, Stack, waitFor, type TestApp, type TestCredential } from '@parley/testing';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { ApiRecorder, lintOpenApi, validateAgainstOpenApi, type ApiResponse } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const USER_ATTRS = '/v1/apps/{appid}/users/{uid}/attributes';
const CHANNEL_ATTRS = '/v1/apps/{appid}/channels/{channel}/attributes';

type Method = 'GET' | 'PUT' | 'PATCH' | 'DELETE';
type ChannelAttrs = Record<string, { value: string; lastUpdateUserId: string; lastUpdateTs: number }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const many = (n: number, prefix = 'k', size = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v'.repeat(size)]));
const values = (attrs: ChannelAttrs) => Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.value]));
const errorCode = (res: ApiResponse) => (res.body as { error?: { code?: string } }).error?.code;

/** A member of `ch` whose AttributesUpdated events are collected. */
async function member(client: RtmClient, ch: string) {
  const channel = client.createChannel(ch);
  const updates: ChannelAttrs[] = [];
  channel.on('AttributesUpdated', (attrs) => updates.push(attrs as ChannelAttrs));
  await channel.join();
  return updates;
}

/**
 * The server API's attribute endpoints (apps/api ×2) against SDK users on two gateways and two
 * attributes replicas: user attributes of a user's current login read back through the SDK, channel
 * attributes notifying members on both gateways as an SDK writer's would, the same limits, the
 * auth rules, and every answer checked against the OpenAPI document.
 */
describe('server API: attributes', () => {
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
    if (method === 'GET' || method === 'DELETE') return http.call(base, method, path, template, opts);
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

  const userPath = (a: TestApp, uid: string, query = '') => `/v1/apps/${a.appId}/users/${encodeURIComponent(uid)}/attributes${query}`;
  const channelPath = (a: TestApp, ch: string, query = '') => `/v1/apps/${a.appId}/channels/${encodeURIComponent(ch)}/attributes${query}`;
  const user = (base: string, method: Method, uid: string, opts: { body?: unknown; query?: string; auth?: string; headers?: Record<string, string> } = {}) =>
    call(base, method, userPath(app, uid, opts.query), USER_ATTRS, { auth: cred.basic, ...opts });
  const channel = (base: string, method: Method, ch: string, opts: { body?: unknown; query?: string; auth?: string; headers?: Record<string, string> } = {}) =>
    call(base, method, channelPath(app, ch, opts.query), CHANNEL_ATTRS, { auth: cred.basic, ...opts });

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, api: 2, attributes: 2, presence: 1, channel: 1 },
      env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '3000' },
      appEnv: { api: { AUTH_CACHE_TTL_MS: '0' }, gateway: { USER_ATTRS_READ_RATE: '200/5000', CHANNEL_ATTRS_READ_RATE: '200/5000' } },
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

  it('sets, patches, deletes and clears a logged-in user’s attributes; the SDK and the API read them back', async () => {
    const alice = newClient(app.appId, gw[0]);
    const bob = newClient(app.appId, gw[1]);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    await alice.setLocalUserAttributes({ own: 'from the sdk' });

    const put = await user(api[0], 'PUT', 'alice', { body: { attributes: { mood: 'happy', city: 'Oslo', ключ: 'значение' } } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ request_id: put.headers.get('x-request-id') });
    // PUT replaces the login's whole set, the SDK's own key too.
    expect(await bob.getUserAttributes('alice')).toEqual({ mood: 'happy', city: 'Oslo', ключ: 'значение' });
    expect(await alice.getUserAttributes('alice')).toEqual({ mood: 'happy', city: 'Oslo', ключ: 'значение' });

    expect((await user(api[1], 'PATCH', 'alice', { body: { attributes: { mood: 'calm', lang: 'nb' } } })).status).toBe(200);
    expect(await bob.getUserAttributes('alice')).toEqual({ mood: 'calm', city: 'Oslo', ключ: 'значение', lang: 'nb' });
    const all = await user(api[0], 'GET', 'alice');
    expect(all.body).toEqual({ attributes: { mood: 'calm', city: 'Oslo', ключ: 'значение', lang: 'nb' }, request_id: all.headers.get('x-request-id') });
    expect((await user(api[1], 'GET', 'alice', { query: '?keys=mood,lang,missing' })).body).toMatchObject({ attributes: { mood: 'calm', lang: 'nb' } });

    // The SDK's writes and the API's land in the same set.
    await alice.addOrUpdateLocalUserAttributes({ own: 'again' });
    expect((await user(api[0], 'GET', 'alice', { query: `?keys=${encodeURIComponent('own,ключ')}` })).body).toMatchObject({
      attributes: { own: 'again', ключ: 'значение' },
    });

    expect((await user(api[1], 'DELETE', 'alice', { query: `?keys=${encodeURIComponent('city,ключ,missing')}` })).status).toBe(200);
    expect(await bob.getUserAttributesByKeys('alice', ['mood', 'city', 'own'])).toEqual({ mood: 'calm', own: 'again' });
    expect(await bob.getUserAttributes('alice')).toEqual({ mood: 'calm', lang: 'nb', own: 'again' });

    expect((await user(api[0], 'DELETE', 'alice', { query: '?all=true' })).status).toBe(200);
    expect(await bob.getUserAttributes('alice')).toEqual({});
    expect((await user(api[1], 'GET', 'alice')).body).toMatchObject({ attributes: {} });

    // An empty PUT is a clear too; and the SDK keeps writing afterwards.
    await user(api[0], 'PATCH', 'alice', { body: { attributes: { x: '1' } } });
    expect((await user(api[1], 'PUT', 'alice', { body: { attributes: {} } })).status).toBe(200);
    expect(await bob.getUserAttributes('alice')).toEqual({});
    await alice.setLocalUserAttributes({ back: 'yes' });
    expect((await user(api[0], 'GET', 'alice')).body).toMatchObject({ attributes: { back: 'yes' } });
  });

  it('answers 404 for writes to a user who is not logged in (GET answers {} as the SDK does), and follows the current login', async () => {
    for (const [method, opts] of [
      ['PUT', { body: { attributes: { a: '1' } } }],
      ['PATCH', { body: { attributes: { a: '1' } } }],
      ['DELETE', { query: '?keys=a' }],
      ['DELETE', { query: '?all=true' }],
    ] as const) {
      const res = await user(api[0], method, 'carol', opts);
      expect({ method, status: res.status, code: errorCode(res) }).toEqual({ method, status: 404, code: 'user_not_found' });
    }
    expect((await user(api[1], 'GET', 'carol')).body).toMatchObject({ attributes: {} });

    // carol logs in: the write goes to her login; she logs in on another device: the new login starts empty.
    const carol = newClient(app.appId, gw[0]);
    await carol.login({ uid: 'carol' });
    await user(api[1], 'PUT', 'carol', { body: { attributes: { seat: '12A' } } });
    expect(await carol.getUserAttributes('carol')).toEqual({ seat: '12A' });
    const carolElsewhere = newClient(app.appId, gw[1]);
    await carolElsewhere.login({ uid: 'carol' });
    expect(await carolElsewhere.getUserAttributes('carol')).toEqual({});
    await user(api[0], 'PATCH', 'carol', { body: { attributes: { seat: '3C' } } });
    expect(await carolElsewhere.getUserAttributes('carol')).toEqual({ seat: '3C' });
    await carolElsewhere.logout();
    expect((await user(api[1], 'PATCH', 'carol', { body: { attributes: { seat: '1A' } } })).status).toBe(404);
    expect((await user(api[0], 'GET', 'carol')).body).toMatchObject({ attributes: {} });
  });

  it('writes channel attributes that reach members on both gateways with lastUpdateUserId = the acting uid', async () => {
    const [m0, m1] = [newClient(app.appId, gw[0]), newClient(app.appId, gw[1])];
    await Promise.all([m0.login({ uid: 'm0' }), m1.login({ uid: 'm1' })]);
    const [u0, u1] = [await member(m0, 'lobby'), await member(m1, 'lobby')];

    const before = Date.now();
    const put = await channel(api[0], 'PUT', 'lobby', {
      headers: { 'x-parley-uid': 'host' },
      body: { attributes: { topic: 'hello', rule: 'be nice' }, enableNotificationToChannelMembers: true },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ request_id: put.headers.get('x-request-id') });
    await waitFor(() => u0.length === 1 && u1.length === 1, { what: 'AttributesUpdated on both gateways' });
    const seen = await m0.getChannelAttributes('lobby');
    expect(u1[0]).toEqual(seen);
    expect(u0[0]).toEqual(seen);
    expect(seen['topic']).toEqual({ value: 'hello', lastUpdateUserId: 'host', lastUpdateTs: expect.any(Number) });
    expect(seen['topic']!.lastUpdateTs).toBeGreaterThanOrEqual(before - 1_000);
    const got = await channel(api[1], 'GET', 'lobby');
    expect(got.body).toEqual({ attributes: seen, request_id: got.headers.get('x-request-id') });

    // A customer credential without X-Parley-Uid writes as "server"; without the flag nobody is told.
    await channel(api[1], 'PATCH', 'lobby', { body: { attributes: { topic: 'news' } } });
    await sleep(300);
    expect([u0.length, u1.length]).toEqual([1, 1]);
    expect((await m1.getChannelAttributesByKeys('lobby', ['topic']))['topic']).toMatchObject({ value: 'news', lastUpdateUserId: 'server' });
    expect((await channel(api[0], 'GET', 'lobby', { query: '?keys=topic,missing' })).body).toMatchObject({
      attributes: { topic: { value: 'news', lastUpdateUserId: 'server' } },
    });

    await channel(api[1], 'PATCH', 'lobby', {
      headers: { 'x-parley-uid': 'm1' },
      body: { attributes: { extra: '1' }, enableNotificationToChannelMembers: true },
    });
    await waitFor(() => u0.length === 2 && u1.length === 2, { what: 'the PATCH notification' });
    expect(values(u0[1]!)).toEqual({ topic: 'news', rule: 'be nice', extra: '1' });
    expect(u1[1]!['extra']).toMatchObject({ lastUpdateUserId: 'm1' });
    expect(u1[1]!['rule']).toMatchObject({ lastUpdateUserId: 'host' });

    await channel(api[0], 'DELETE', 'lobby', { query: '?keys=rule,extra&enableNotificationToChannelMembers=true' });
    await waitFor(() => u0.length === 3 && u1.length === 3, { what: 'the DELETE notification' });
    expect(values(u1[2]!)).toEqual({ topic: 'news' });

    await channel(api[1], 'DELETE', 'lobby', { query: '?all=true&enableNotificationToChannelMembers=true' });
    await waitFor(() => u0.length === 4 && u1.length === 4, { what: 'the clear notification' });
    expect(u0[3]).toEqual({});
    expect(await m1.getChannelAttributes('lobby')).toEqual({});
  });

  it('applies Agora’s limits (400, nothing changed, nobody notified) and strict bodies', async () => {
    const dan = newClient(app.appId, gw[0]);
    const watcher = newClient(app.appId, gw[1]);
    await Promise.all([dan.login({ uid: 'dan' }), watcher.login({ uid: 'watcher' })]);
    const updates = await member(watcher, 'full');
    const full = { keep: 'me', a: 'x'.repeat(8000), b: 'x'.repeat(8000) }; // 16008 of 16384 bytes
    await user(api[0], 'PUT', 'dan', { body: { attributes: full } });
    const k33 = Object.keys(many(33)).join(',');

    const userCases: [string, Method, object, string][] = [
      ['33 attributes', 'PUT', { attributes: many(33) }, 'size_overflow'],
      ['a value over 8 KB', 'PATCH', { attributes: { big: 'x'.repeat(8193) } }, 'size_overflow'],
      ['over 16 KB with what is there', 'PATCH', { attributes: { c: 'x'.repeat(400) } }, 'size_overflow'],
      ['past 32 attributes with what is there', 'PATCH', { attributes: many(32) }, 'size_overflow'],
      ['a key with a space', 'PATCH', { attributes: { 'a b': '1' } }, 'invalid_argument'],
      ['a key over 32 bytes', 'PATCH', { attributes: { ['k'.repeat(33)]: '1' } }, 'invalid_argument'],
      ['an empty value', 'PATCH', { attributes: { a: '' } }, 'invalid_argument'],
      ['a number value', 'PATCH', { attributes: { a: 1 } }, 'invalid_request'],
      ['an unknown field', 'PATCH', { attributes: { a: '1' }, enableNotificationToChannelMembers: true }, 'invalid_request'],
      ['no attributes', 'PUT', {}, 'invalid_request'],
      ['the __proto__ key', 'PUT', JSON.parse('{"attributes":{"__proto__":"x"}}') as object, 'invalid_request'],
    ];
    for (const [what, method, body, code] of userCases) {
      const res = await user(api[1], method, 'dan', { body });
      expect({ what, status: res.status, code: errorCode(res) }).toEqual({ what, status: 400, code });
    }
    for (const query of ['', '?keys=a&all=true', '?all=false', `?keys=${k33}`, '?keys=a,,b', '?notify=true']) {
      const res = await user(api[0], 'DELETE', 'dan', { query });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect((await user(api[0], 'GET', 'dan', { query: `?keys=${k33}` })).status).toBe(400);
    expect(await watcher.getUserAttributes('dan')).toEqual(full);

    await channel(api[0], 'PUT', 'full', { body: { attributes: many(30) } });
    const channelCases: [string, Method, object, string][] = [
      ['past 32 attributes', 'PATCH', { attributes: many(3, 'x'), enableNotificationToChannelMembers: true }, 'size_overflow'],
      ['33 attributes', 'PUT', { attributes: many(33), enableNotificationToChannelMembers: true }, 'size_overflow'],
      ['a value over 8 KB', 'PATCH', { attributes: { big: 'x'.repeat(8193) }, enableNotificationToChannelMembers: true }, 'size_overflow'],
      ['over 32 KB in one call', 'PUT', { attributes: many(5, 'c', 7000), enableNotificationToChannelMembers: true }, 'size_overflow'],
      ['a bad key', 'PATCH', { attributes: { 'a\tb': '1' }, enableNotificationToChannelMembers: true }, 'invalid_argument'],
      ['a non-boolean flag', 'PATCH', { attributes: { a: '1' }, enableNotificationToChannelMembers: 'yes' }, 'invalid_request'],
      ['an unknown field', 'PATCH', { attributes: { a: '1' }, notify: true }, 'invalid_request'],
    ];
    for (const [what, method, body, code] of channelCases) {
      const res = await channel(api[1], method, 'full', { body });
      expect({ what, status: res.status, code: errorCode(res) }).toEqual({ what, status: 400, code });
    }
    const badUid = await channel(api[0], 'PATCH', 'full', { headers: { 'x-parley-uid': 'u'.repeat(65) }, body: { attributes: { a: '1' } } });
    expect(badUid.status).toBe(400);
    const badChannel = await call(api[0], 'GET', `/v1/apps/${app.appId}/channels/${encodeURIComponent('bad channel\u0000')}/attributes`, CHANNEL_ATTRS, {
      auth: cred.basic,
    });
    expect(badChannel.status).toBe(400);
    await sleep(300);
    expect(updates).toHaveLength(0);
    expect(values(await watcher.getChannelAttributes('full'))).toEqual(many(30));
  });

  it('lets an RTM token act only as its own uid (403 otherwise); another app’s credential gets 403', async () => {
    const certified = await createTestApp({ certified: true });
    const tokenOf = (uid: string) => RtmTokenBuilder.buildToken(certified.appId, certified.certificate!, uid, 3600);
    const [bot, ann] = [newClient(certified.appId, gw[0]), newClient(certified.appId, gw[1])];
    await Promise.all([bot.login({ uid: 'bot', token: tokenOf('bot') }), ann.login({ uid: 'ann', token: tokenOf('ann') })]);
    const updates = await member(ann, 'room');
    const asBot = { 'x-agora-token': tokenOf('bot'), 'x-agora-uid': 'bot' };
    const path = (uid: string, query = '') => userPath(certified, uid, query);

    expect((await call(api[0], 'PATCH', path('bot'), USER_ATTRS, { headers: asBot, body: { attributes: { role: 'bot' } } })).status).toBe(200);
    expect(await ann.getUserAttributes('bot')).toEqual({ role: 'bot' });
    // Reading anyone's attributes is allowed, as in the SDK.
    expect((await call(api[1], 'GET', path('ann'), USER_ATTRS, { headers: asBot })).status).toBe(200);
    for (const [method, query, body] of [
      ['PUT', '', { attributes: { hacked: '1' } }],
      ['PATCH', '', { attributes: { hacked: '1' } }],
      ['DELETE', '?all=true', undefined],
    ] as const) {
      const res = await call(api[1], method, path('ann', query), USER_ATTRS, { headers: asBot, body });
      expect({ method, status: res.status, code: errorCode(res) }).toEqual({ method, status: 403, code: 'forbidden' });
    }

    // Channel writes: as the token's uid by default or by X-Parley-Uid naming it; another uid → 403.
    const chPath = channelPath(certified, 'room');
    const notify = { attributes: { topic: 'by bot' }, enableNotificationToChannelMembers: true };
    expect((await call(api[0], 'PUT', chPath, CHANNEL_ATTRS, { headers: asBot, body: notify })).status).toBe(200);
    await waitFor(() => updates.length === 1, { what: 'the token’s notification' });
    expect(updates[0]!['topic']).toMatchObject({ value: 'by bot', lastUpdateUserId: 'bot' });
    expect((await call(api[1], 'PATCH', chPath, CHANNEL_ATTRS, { headers: { ...asBot, 'x-parley-uid': 'bot' }, body: notify })).status).toBe(200);
    for (const as of ['ann', 'server']) {
      const res = await call(api[1], 'PATCH', chPath, CHANNEL_ATTRS, { headers: { ...asBot, 'x-parley-uid': as }, body: { attributes: { topic: 'forged' } } });
      expect({ as, status: res.status }).toEqual({ as, status: 403 });
    }
    expect(
      (await call(api[0], 'DELETE', channelPath(certified, 'room', '?all=true'), CHANNEL_ATTRS, { headers: { ...asBot, 'x-parley-uid': 'ann' } })).status,
    ).toBe(403);

    // Another app's customer credential.
    const otherApp = await createTestApp();
    const other = await createCustomerCredential({ appIds: [otherApp.appId] });
    expect((await call(api[0], 'GET', path('ann'), USER_ATTRS, { auth: other.basic })).status).toBe(403);
    expect((await call(api[1], 'PUT', path('ann'), USER_ATTRS, { auth: other.basic, body: { attributes: { hacked: '1' } } })).status).toBe(403);
    expect((await call(api[0], 'PATCH', chPath, CHANNEL_ATTRS, { auth: other.basic, body: { attributes: { topic: 'forged' } } })).status).toBe(403);
    expect((await call(api[1], 'GET', chPath, CHANNEL_ATTRS)).status).toBe(401);

    await sleep(300);
    expect(updates).toHaveLength(2);
    expect(await bot.getUserAttributes('ann')).toEqual({});
    expect(values(await bot.getChannelAttributes('room'))).toEqual({ topic: 'by bot' });
    // And the other app's own channel of that name is untouched by all this.
    expect((await call(api[0], 'GET', channelPath(otherApp, 'room'), CHANNEL_ATTRS, { auth: other.basic })).body).toMatchObject({ attributes: {} });
  });

  it('matches the OpenAPI document (linted) with every answer it gave', async () => {
    const doc = (await (await fetch(`${api[0]}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    for (const method of ['get', 'put', 'patch', 'delete']) {
      expect(doc.paths[USER_ATTRS]?.[method]).toBeDefined();
      expect(doc.paths[CHANNEL_ATTRS]?.[method]).toBeDefined();
    }
    expect(http.seen.length).toBeGreaterThan(50);
    expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
  });
});
