import { createTestApp, Stack, waitFor, type TestApp } from '@parley/testing';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { ApiRecorder, lintOpenApi, validateAgainstOpenApi, type ApiResponse } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const ADMIN_TOKEN = 'console-e2e-admin-token-0123456789';
const ADMIN = `Bearer ${ADMIN_TOKEN}`;
/** The origins npm start gives the api: the consoles its gateways serve. */
const CONSOLE = 'http://127.0.0.1:8080';
const CONSOLE_LOCALHOST = 'http://localhost:8080';

const TOKENS = '/v1/admin/apps/{appid}/tokens';
const STATS = '/v1/admin/stats';
const USER = '/v1/admin/apps/{appid}/users/{uid}';
const CHANNEL = '/v1/admin/apps/{appid}/channels/{channel}';

interface Stats {
  appId: string | null;
  sessions: { online: number; unreachable: number };
  channels: number;
  members: number;
  gateways: { id: string; sessions: number; connections: number; messages: { peer: number; channel: number } }[];
  gatewaysKnown: number;
  messages: { peer: number; channel: number };
}
interface User {
  status: string;
  sessions: { gatewayId: string; since: string; status: string }[];
  channels: string[];
  attributes: Record<string, string>;
  metadata: { majorRevision: number; items: { key: string; value: string }[] };
}
interface Channel {
  memberCount: number;
  members: string[];
  attributes: Record<string, { value: string; lastUpdateUserId: string }>;
  metadata: { majorRevision: number; items: { key: string; value: string }[] };
}

const errorCode = (res: ApiResponse) => (res.body as { error?: { code?: string } }).error?.code;

function metadataItems(client: RtmClient, list: Record<string, string>) {
  return Object.entries(list).map(([key, value]) => {
    const item = client.createMetadataItem();
    item.setKey(key);
    item.setValue(value);
    return item;
  });
}

/**
 * The admin API's routes for the operator console (apps/api with two gateways): CORS for the
 * console's origins, login tokens of certified apps that the SDK logs in with, live counts over both
 * gateways (sessions, channels, message totals that grow), user and channel lookups showing what SDK
 * clients did, one app never seeing another's, and the admin token required everywhere. Every
 * answer is checked against the OpenAPI document.
 */
describe('server API: admin routes of the operator console', () => {
  let stack: Stack;
  let api: string;
  let gw: [string, string];
  let gatewayIds: [string, string];
  const http = new ApiRecorder();
  let app: TestApp;

  /** `auth` null: no Authorization header. */
  const get = (path: string, template: string, auth: string | null = ADMIN) => http.call(api, 'GET', path, template, { auth: auth ?? undefined });
  const stats = async (appId?: string) => {
    const res = await get(`/v1/admin/stats${appId ? `?appId=${appId}` : ''}`, STATS);
    expect(res.status).toBe(200);
    return res.body as Stats;
  };
  const user = async (appId: string, uid: string) => {
    const res = await get(`/v1/admin/apps/${appId}/users/${encodeURIComponent(uid)}`, USER);
    expect(res.status).toBe(200);
    return res.body as User;
  };
  const channel = async (appId: string, ch: string) => {
    const res = await get(`/v1/admin/apps/${appId}/channels/${encodeURIComponent(ch)}`, CHANNEL);
    expect(res.status).toBe(200);
    return res.body as Channel;
  };
  const mint = (appId: string, body: unknown, auth: string | null = ADMIN) =>
    http.call(api, 'POST', `/v1/admin/apps/${appId}/tokens`, TOKENS, { auth: auth ?? undefined, body });
  /** Rows of gateways, in the answer's order (by id). */
  const byId = <T extends [string, ...unknown[]]>(rows: T[]) => [...rows].sort((a, b) => (a[0] < b[0] ? -1 : 1));

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, api: 1, presence: 1, channel: 1, attributes: 1 },
      env: { ...FAST_TIMERS },
      appEnv: { api: { ADMIN_TOKEN, API_CORS_ORIGINS: `${CONSOLE},${CONSOLE_LOCALHOST}`, AUTH_CACHE_TTL_MS: '0' } },
    });
    api = stack.apiUrls[0]!;
    gw = stack.gatewayUrls as [string, string];
    gatewayIds = stack.gateways.map((g) => `${stack.prefix}-gw${g.index}`) as [string, string];
  });

  beforeEach(async () => {
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('answers the console’s CORS preflight for its origins, and gives any other origin no CORS header', async () => {
    for (const [origin, path] of [
      [CONSOLE, '/v1/admin/stats'],
      [CONSOLE_LOCALHOST, `/v1/admin/apps/${app.appId}/tokens`],
      [CONSOLE, `/v1/apps/${app.appId}/users/status?uids=a`],
    ] as const) {
      const res = await fetch(`${api}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization, Content-Type/);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary')).toMatch(/Origin/);
    }
    // A real request from the console reads its answer, a refusal (401) included.
    const ok = await fetch(`${api}/v1/admin/stats?appId=${app.appId}`, { headers: { origin: CONSOLE, authorization: ADMIN } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const refused = await fetch(`${api}/v1/admin/stats`, { headers: { origin: CONSOLE } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(CONSOLE);

    // Another origin (or a port off): no CORS header at all, so its browser reads nothing.
    for (const origin of ['http://evil.example', 'http://127.0.0.1:8081']) {
      const preflight = await fetch(`${api}/v1/admin/stats`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(404);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
      const res = await fetch(`${api}/v1/admin/stats`, { headers: { origin, authorization: ADMIN } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('requires the admin token on every console route (401 without it or with another)', async () => {
    for (const auth of [null, 'Bearer not-the-admin-token', `Basic ${Buffer.from(`x:${ADMIN_TOKEN}`).toString('base64')}`]) {
      const answers = [
        await get('/v1/admin/stats', STATS, auth),
        await get(`/v1/admin/apps/${app.appId}/users/alice`, USER, auth),
        await get(`/v1/admin/apps/${app.appId}/channels/lobby`, CHANNEL, auth),
        await mint(app.appId, { uid: 'alice' }, auth),
      ];
      expect(answers.map((a) => [a.status, errorCode(a)])).toEqual(answers.map(() => [401, 'unauthorized']));
    }
  });

  it('mints login tokens of a certified app that the SDK logs in with (007 and 006); refuses static and unknown apps and bad input', async () => {
    const certified = await createTestApp({ certified: true });
    const t007 = await mint(certified.appId, { uid: 'alice' });
    expect(t007.status).toBe(201);
    expect(t007.body).toEqual({ token: expect.stringMatching(/^007/), uid: 'alice', format: '007', expiresAt: expect.any(String) });
    const expiresIn = Date.parse((t007.body as { expiresAt: string }).expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3_500_000);
    expect(expiresIn).toBeLessThanOrEqual(3_600_000);
    const alice = newClient(certified.appId, gw[0]);
    await alice.login({ uid: 'alice', token: (t007.body as { token: string }).token });

    const t006 = await mint(certified.appId, { uid: 'bob', format: '006', expireSeconds: 120 });
    expect(t006.body).toMatchObject({ token: expect.stringMatching(/^006/), uid: 'bob', format: '006' });
    const bob = newClient(certified.appId, gw[1]);
    await bob.login({ uid: 'bob', token: (t006.body as { token: string }).token });
    // A token is its uid's only.
    const mallory = newClient(certified.appId, gw[1]);
    await expect(mallory.login({ uid: 'mallory', token: (t006.body as { token: string }).token })).rejects.toBeDefined();
    expect((await user(certified.appId, 'bob')).status).toBe('ONLINE');

    const statik = await mint(app.appId, { uid: 'alice' });
    expect([statik.status, errorCode(statik)]).toEqual([400, 'app_not_certified']);
    const unknown = await mint('0123456789abcdef0123456789abcdee', { uid: 'alice' });
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'not_found']);
    for (const body of [
      {},
      { uid: ' bad' },
      { uid: 'alice', expireSeconds: 0 },
      { uid: 'alice', expireSeconds: 86_401 },
      { uid: 'alice', format: '005' },
      { uid: 'alice', role: 'admin' },
    ]) {
      const res = await mint(certified.appId, body);
      expect([res.status, errorCode(res)]).toEqual([400, 'invalid_request']);
    }
  });

  it('counts sessions on both gateways, channels and members, and message totals that grow with sends; one app at a time', async () => {
    const other = await createTestApp();
    const outsider = newClient(other.appId, gw[0]);
    await outsider.login({ uid: 'outsider' });
    await outsider.sendMessageToPeer({ text: 'not counted for app' }, 'nobody').catch(() => undefined);

    const alice = newClient(app.appId, gw[0]);
    const bob = newClient(app.appId, gw[1]);
    const carol = newClient(app.appId, gw[1]);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' }), carol.login({ uid: 'carol' })]);
    const rooms = [alice.createChannel('room'), bob.createChannel('room')];
    await Promise.all(rooms.map((r) => r.join()));

    // The registry's counts are recomputed at most once a second: wait for the logins and joins.
    let first!: Stats;
    await waitFor(
      async () => {
        first = await stats(app.appId);
        return first.sessions.online === 3 && first.members === 2;
      },
      { what: '3 sessions and 2 members of the app in its counts' },
    );
    expect(first).toMatchObject({ appId: app.appId, sessions: { online: 3, unreachable: 0 }, channels: 1, members: 2, messages: { peer: 0, channel: 0 } });
    expect(first.gatewaysKnown).toBeGreaterThanOrEqual(2);
    // Both gateways of this deployment answered, each with the app's sessions it holds.
    expect(first.gateways.map((g) => [g.id, g.sessions, g.connections])).toEqual(
      byId([
        [gatewayIds[0], 1, 1],
        [gatewayIds[1], 2, 2],
      ]),
    );

    for (let i = 0; i < 3; i++) await alice.sendMessageToPeer({ text: `hi ${i}` }, 'bob');
    await rooms[0]!.sendMessage({ text: 'one' });
    await rooms[1]!.sendMessage({ text: 'two' });
    const second = await stats(app.appId);
    expect(second.messages).toEqual({ peer: 3, channel: 2 });
    expect(second.gateways.map((g) => [g.id, g.messages])).toEqual(
      byId([
        [gatewayIds[0], { peer: 3, channel: 1 }],
        [gatewayIds[1], { peer: 0, channel: 1 }],
      ]),
    );

    // All apps: this deployment's two gateways, totals at least this app's (other runs share the database, not the subjects).
    // (Each service counts at most once a second: an earlier all-apps count may still be served.)
    const all = await waitFor(
      async () => {
        const counts = await stats();
        return counts.sessions.online >= 4 && counts.members >= 2 ? counts : null;
      },
      { what: 'this app’s and the other app’s sessions in the all-apps counts' },
    );
    expect(all.appId).toBeNull();
    expect(all.gateways.map((g) => g.id)).toEqual([...gatewayIds].sort());
    expect(all.messages.peer).toBeGreaterThanOrEqual(4);
    expect(all.messages.channel).toBeGreaterThanOrEqual(2);
    expect(all.gateways.reduce((n, g) => n + g.sessions, 0)).toBe(4);

    // Sessions that end leave the counts.
    await carol.logout();
    await waitFor(async () => (await stats(app.appId)).sessions.online === 2, { what: 'carol gone from the counts' });
    const unknown = await get('/v1/admin/stats?appId=0123456789abcdef0123456789abcdee', STATS);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'not_found']);
    const bad = await get('/v1/admin/stats?appId=nope', STATS);
    expect([bad.status, errorCode(bad)]).toEqual([400, 'invalid_request']);
    const extra = await get(`/v1/admin/stats?appId=${app.appId}&verbose=1`, STATS);
    expect([extra.status, errorCode(extra)]).toEqual([400, 'invalid_request']);
  });

  it('looks up a user and a channel as the SDK left them: online on which gateway, channels, attributes, metadata', async () => {
    const alice = newClient(app.appId, gw[1]);
    const bob = newClient(app.appId, gw[0]);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    const lobby = alice.createChannel('lobby');
    await Promise.all([lobby.join(), alice.createChannel('news').join(), bob.createChannel('lobby').join()]);
    await alice.setLocalUserAttributes({ mood: 'happy', city: 'Oslo' });
    await alice.setLocalUserMetadata(metadataItems(alice, { title: 'host' }));
    await alice.addOrUpdateChannelAttributes('lobby', { topic: 'welcome' });
    await lobby.setChannelMetadata(metadataItems(alice, { seats: '2' }));

    const a = await user(app.appId, 'alice');
    expect(a).toEqual({
      appId: app.appId,
      uid: 'alice',
      status: 'ONLINE',
      sessions: [{ gatewayId: gatewayIds[1], since: expect.any(String), status: 'ONLINE' }],
      channels: ['lobby', 'news'],
      attributes: { mood: 'happy', city: 'Oslo' },
      metadata: { majorRevision: expect.any(Number), items: [expect.objectContaining({ key: 'title', value: 'host' })] },
    });
    expect(Date.now() - Date.parse(a.sessions[0]!.since)).toBeLessThan(60_000);
    expect((await user(app.appId, 'bob')).sessions.map((s) => s.gatewayId)).toEqual([gatewayIds[0]]);

    expect(await channel(app.appId, 'lobby')).toEqual({
      appId: app.appId,
      channel: 'lobby',
      memberCount: 2,
      members: ['alice', 'bob'],
      attributes: { topic: { value: 'welcome', lastUpdateUserId: 'alice', lastUpdateTs: expect.any(Number) } },
      metadata: { majorRevision: expect.any(Number), items: [expect.objectContaining({ key: 'seats', value: '2' })] },
    });

    // Nobody: OFFLINE, nothing; an empty channel: no members.
    expect(await user(app.appId, 'nobody')).toEqual({
      appId: app.appId,
      uid: 'nobody',
      status: 'OFFLINE',
      sessions: [],
      channels: [],
      attributes: {},
      metadata: { majorRevision: 0, items: [] },
    });
    expect(await channel(app.appId, 'empty')).toMatchObject({ memberCount: 0, members: [], attributes: {} });

    // After logout: OFFLINE, out of its channels, its login's attributes gone; its metadata stays.
    await alice.logout();
    await waitFor(async () => (await user(app.appId, 'alice')).status === 'OFFLINE', { what: 'alice OFFLINE' });
    expect(await user(app.appId, 'alice')).toMatchObject({
      sessions: [],
      channels: [],
      attributes: {},
      metadata: { items: [expect.objectContaining({ key: 'title' })] },
    });
    expect(await channel(app.appId, 'lobby')).toMatchObject({ memberCount: 1, members: ['bob'] });
  });

  it('shows one app only: another app’s users and channels are not visible through it', async () => {
    const other = await createTestApp();
    const zed = newClient(other.appId, gw[0]);
    await zed.login({ uid: 'zed' });
    await zed.createChannel('secret').join();
    expect((await user(other.appId, 'zed')).status).toBe('ONLINE');
    expect(await user(app.appId, 'zed')).toMatchObject({ status: 'OFFLINE', sessions: [], channels: [] });
    expect(await channel(app.appId, 'secret')).toMatchObject({ memberCount: 0, members: [] });
    await waitFor(async () => (await stats(other.appId)).sessions.online === 1, { what: 'the other app’s session counted' });
    expect((await stats(app.appId)).sessions).toEqual({ online: 0, unreachable: 0 });

    const unknownApp = '0123456789abcdef0123456789abcdee';
    for (const res of [await get(`/v1/admin/apps/${unknownApp}/users/zed`, USER), await get(`/v1/admin/apps/${unknownApp}/channels/secret`, CHANNEL)]) {
      expect([res.status, errorCode(res)]).toEqual([404, 'not_found']);
    }
    const badUid = await get(`/v1/admin/apps/${app.appId}/users/${encodeURIComponent(' bad')}`, USER);
    expect([badUid.status, errorCode(badUid)]).toEqual([400, 'invalid_request']);
  });

  it('documents every answer it gave in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    expect(http.seen.length).toBeGreaterThan(30);
    // Ajv warns about every `format` it does not check (date-time…): noise here, not a finding.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
