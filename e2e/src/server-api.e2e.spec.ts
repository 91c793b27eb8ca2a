import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RtmTokenBuilder as Builder007 } from 'agora-token';
import { RtmRole, RtmTokenBuilder as Builder006 } from 'agora-access-token';
import { createCustomerCredential, createTestApp, Stack, waitFor, type TestApp, type TestCredential } from '@parley/testing';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { ApiRecorder, lintOpenApi, shapeOf, validateAgainstOpenApi } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const PEER = '/dev/v2/project/{appid}/rtm/users/{user_id}/peer_messages';
const CHANNEL = '/dev/v2/project/{appid}/rtm/users/{user_id}/channel_messages';
const STATUS = '/v1/apps/{appid}/users/status';
const COUNTS = '/v1/apps/{appid}/channels/counts';
const MEMBERS = '/v1/apps/{appid}/channels/{channel}/members';
const USER_CHANNELS = '/v1/apps/{appid}/users/{uid}/channels';
const USER_EVENTS = '/dev/v2/project/{appid}/rtm/vendor/user_events';
const CHANNEL_EVENTS = '/dev/v2/project/{appid}/rtm/vendor/channel_events';
const HOOK_CHANNEL_EVENTS = '/dev/v2/project/{appid}/rtm/hook/channel_events';
/** Sends allowed per app and minute in this suite (a small limit, so the 429 test reaches it). */
const SEND_LIMIT = 30;
/** Event-queue reads allowed per app and minute in this suite. */
const EVENTS_LIMIT = 40;

type Got = { text?: string; from: string; props: { serverReceivedTs: number; isOfflineMessage?: boolean } };

function peerInbox(client: RtmClient): Got[] {
  const got: Got[] = [];
  client.on('MessageFromPeer', (message, from, props) => got.push({ text: (message as { text?: string }).text, from, props: props as Got['props'] }));
  return got;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);

/**
 * The server API (apps/api ×2) as an Agora backend uses it, against SDK receivers on two gateways:
 * each endpoint with each auth style and result code, bad input, limits, idempotency, isolation,
 * and every answer checked against the OpenAPI document and the Agora shape fixtures.
 */
describe('server API', () => {
  let stack: Stack;
  let api: [string, string];
  let gw: [string, string];
  const http = new ApiRecorder();
  /** One app per test: limits are per app. */
  let app: TestApp;
  let cred: TestCredential;

  const peerPath = (a: TestApp, user: string, query = '') => `/dev/v2/project/${a.appId}/rtm/users/${encodeURIComponent(user)}/peer_messages${query}`;
  const channelPath = (a: TestApp, user: string) => `/dev/v2/project/${a.appId}/rtm/users/${encodeURIComponent(user)}/channel_messages`;

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2, api: 2 },
      env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '3000' },
      appEnv: { api: { API_SEND_RATE: `${SEND_LIMIT}/60000`, API_EVENTS_RATE: `${EVENTS_LIMIT}/60000`, AUTH_CACHE_TTL_MS: '0', RATE_SYNC_MS: '50' } },
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

  it('sends a peer message as any user with a customer credential: delivered, sent, peer offline, stored offline', async () => {
    const bob = newClient(app.appId, gw[1]);
    const got = peerInbox(bob);
    await bob.login({ uid: 'bob' });

    const before = Date.now();
    const delivered = await http.call(api[0], 'POST', peerPath(app, 'system', '?wait_for_ack=true'), PEER, {
      auth: cred.basic,
      body: { destination: 'bob', enable_offline_messaging: false, payload: 'hello bob' },
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toEqual({ result: 'success', request_id: delivered.headers.get('x-request-id'), code: 'message_delivered' });
    // message_delivered means bob's client had it (its listeners ran) before the answer.
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ text: 'hello bob', from: 'system', props: { isOfflineMessage: false } });
    expect(got[0]!.props.serverReceivedTs).toBeGreaterThanOrEqual(before);

    const sent = await http.call(api[1], 'POST', peerPath(app, 'system'), PEER, { auth: cred.basic, body: { destination: 'bob', payload: 'second' } });
    expect(sent.body).toMatchObject({ result: 'success', code: 'message_sent' });
    await waitFor(() => got.length === 2, { what: 'the wait_for_ack=false message' });
    expect(got[1]).toMatchObject({ text: 'second', from: 'system' });

    const offline = await http.call(api[0], 'POST', peerPath(app, 'system', '?wait_for_ack=true'), PEER, {
      auth: cred.basic,
      body: { destination: 'carol', payload: 'nobody home' },
    });
    expect(offline.body).toMatchObject({ result: 'success', code: 'peer_offline' });

    // Stored offline (as from the SDK), then carol logs in on the other gateway and gets it.
    const stored = await http.call(api[1], 'POST', peerPath(app, 'system', '?wait_for_ack=false'), PEER, {
      auth: cred.basic,
      body: { destination: 'carol', enable_offline_messaging: true, payload: 'kept for you' },
    });
    expect(stored.body).toMatchObject({ result: 'success', code: 'message_sent' });
    const carol = newClient(app.appId, gw[0]);
    const carolGot = peerInbox(carol);
    await carol.login({ uid: 'carol' });
    await waitFor(() => carolGot.length === 1, { what: 'the offline message at login' });
    expect(carolGot[0]).toMatchObject({ text: 'kept for you', from: 'system', props: { isOfflineMessage: true } });
  });

  it('sends a channel message to every member on every gateway; the sender need not be a member', async () => {
    const members = [newClient(app.appId, gw[0]), newClient(app.appId, gw[1]), newClient(app.appId, gw[1])];
    const got: Got[][] = members.map(() => []);
    await Promise.all(members.map((m, i) => m.login({ uid: `m${i}` })));
    const channels = members.map((m) => m.createChannel('news'));
    channels.forEach((ch, i) =>
      ch.on('ChannelMessage', (message, from, props) => got[i]!.push({ text: (message as { text?: string }).text, from, props: props as Got['props'] })),
    );
    await Promise.all(channels.map((ch) => ch.join()));

    const res = await http.call(api[1], 'POST', channelPath(app, 'announcer'), CHANNEL, {
      auth: cred.basic,
      body: { channel_name: 'news', enable_historical_messaging: false, payload: 'breaking' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'success', request_id: res.headers.get('x-request-id'), code: 'message_sent' });
    await waitFor(() => got.every((g) => g.length === 1), { what: 'the channel message on every member' });
    for (const g of got) expect(g[0]).toMatchObject({ text: 'breaking', from: 'announcer' });
  });

  it('takes RTM tokens (006, 007; both header styles) that may act only as their own uid', async () => {
    const certified = await createTestApp({ certified: true });
    const bob = newClient(certified.appId, gw[0]);
    const got = peerInbox(bob);
    await bob.login({ uid: 'bob', token: Builder007.buildToken(certified.appId, certified.certificate!, 'bob', 3600) });

    const t007 = Builder007.buildToken(certified.appId, certified.certificate!, 'bot', 3600);
    const t006 = Builder006.buildToken(certified.appId, certified.certificate!, 'bot', RtmRole.Rtm_User, now() + 3600);
    const asBot = { destination: 'bob', payload: 'from the bot' };
    const viaHeaders = await http.call(api[0], 'POST', peerPath(certified, 'bot', '?wait_for_ack=true'), PEER, {
      headers: { 'x-agora-token': t007, 'x-agora-uid': 'bot' },
      body: asBot,
    });
    expect(viaHeaders.body).toMatchObject({ code: 'message_delivered' });
    const viaAuthorization = await http.call(api[1], 'POST', peerPath(certified, 'bot', '?wait_for_ack=true'), PEER, {
      auth: `agora token=${t006}`,
      headers: { 'x-agora-uid': 'bot' },
      body: asBot,
    });
    expect(viaAuthorization.body).toMatchObject({ code: 'message_delivered' });
    expect(got.map((g) => g.from)).toEqual(['bot', 'bot']);

    // Acting as another user, a token for another uid, another app's token, a wrong certificate.
    const other = await createTestApp({ certified: true });
    const cases: [string, Record<string, string>, string, number][] = [
      ['as another user', { 'x-agora-token': t007, 'x-agora-uid': 'bot' }, 'alice', 403],
      ['uid header not the token’s', { 'x-agora-token': t007, 'x-agora-uid': 'alice' }, 'alice', 401],
      ['another app’s token', { 'x-agora-token': Builder007.buildToken(other.appId, other.certificate!, 'bot', 3600), 'x-agora-uid': 'bot' }, 'bot', 401],
      ['wrong certificate', { 'x-agora-token': Builder007.buildToken(certified.appId, other.certificate!, 'bot', 3600), 'x-agora-uid': 'bot' }, 'bot', 401],
      ['no uid header', { 'x-agora-token': t007 }, 'bot', 401],
    ];
    for (const [what, headers, user, status] of cases) {
      const res = await http.call(api[0], 'POST', peerPath(certified, user), PEER, { headers, body: asBot });
      expect({ what, status: res.status, result: (res.body as { result?: string }).result }).toEqual({ what, status, result: 'failed' });
    }
    expect(got).toHaveLength(2);

    // The other endpoints take the token too: a channel message as the bot, the event queues.
    const ch = await http.call(api[1], 'POST', channelPath(certified, 'bot'), CHANNEL, {
      headers: { 'x-agora-token': t007, 'x-agora-uid': 'bot' },
      body: { channel_name: 'news', payload: 'x' },
    });
    expect(ch.body).toMatchObject({ result: 'success', code: 'message_sent' });
    const events = await http.call(api[0], 'GET', `/dev/v2/project/${certified.appId}/rtm/vendor/user_events`, USER_EVENTS, {
      auth: `agora token=${t006}`,
      headers: { 'x-agora-uid': 'bot' },
    });
    expect(events.status).toBe(200);
  });

  it('refuses bad credentials (401), credentials of another app (403) and unknown apps (404), changing nothing', async () => {
    const bob = newClient(app.appId, gw[0]);
    const got = peerInbox(bob);
    await bob.login({ uid: 'bob' });
    const body = { destination: 'bob', payload: 'should not arrive' };
    const otherApp = await createTestApp();
    const otherCred = await createCustomerCredential({ appIds: [otherApp.appId] });
    const everyApp = await createCustomerCredential({ allApps: true });
    const wrongSecret = `Basic ${Buffer.from(`${cred.key}:not-the-secret`).toString('base64')}`;
    const cases: [string, string | undefined, string, number][] = [
      ['no credentials', undefined, app.appId, 401],
      ['wrong secret', wrongSecret, app.appId, 401],
      ['unknown key', `Basic ${Buffer.from(`${'0'.repeat(32)}:x`).toString('base64')}`, app.appId, 401],
      ['garbage', 'Basic %%%', app.appId, 401],
      ['another app’s credential', otherCred.basic, app.appId, 403],
      ['unknown app', everyApp.basic, 'f'.repeat(32), 404],
      ['malformed app id', cred.basic, 'not-an-app', 400],
    ];
    for (const [what, auth, appId, status] of cases) {
      const res = await http.call(api[1], 'POST', `/dev/v2/project/${appId}/rtm/users/system/peer_messages`, PEER, { auth, body });
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.body).toMatchObject({ result: 'failed', request_id: expect.any(String), code: expect.any(String) });
    }
    // A revoked credential stops working (AUTH_CACHE_TTL_MS is 0 here).
    const { Client } = await import('pg');
    const db = new Client({ connectionString: process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/parley_test' });
    await db.connect();
    await db.query('UPDATE customer_credentials SET revoked_at = now() WHERE id = $1', [cred.key]);
    await db.end();
    expect((await http.call(api[0], 'POST', peerPath(app, 'system'), PEER, { auth: cred.basic, body })).status).toBe(401);
    await sleep(300);
    expect(got).toHaveLength(0);
  });

  it('answers 400 for every class of bad input and delivers nothing', async () => {
    const bob = newClient(app.appId, gw[1]);
    const got = peerInbox(bob);
    await bob.login({ uid: 'bob' });
    const ok = { destination: 'bob', payload: 'fine' };
    const cases: [string, string, { body?: unknown; rawBody?: string }][] = [
      ['user id with a leading space', peerPath(app, ' system'), { body: ok }],
      ['user id too long', peerPath(app, 'u'.repeat(65)), { body: ok }],
      ['bad destination', peerPath(app, 'system'), { body: { ...ok, destination: '' } }],
      ['empty payload', peerPath(app, 'system'), { body: { ...ok, payload: '' } }],
      ['payload over 32 KB', peerPath(app, 'system'), { body: { ...ok, payload: 'x'.repeat(32 * 1024 + 1) } }],
      ['payload over 32 KB in UTF-8 bytes', peerPath(app, 'system'), { body: { ...ok, payload: 'é'.repeat(16 * 1024 + 1) } }],
      ['payload not a string', peerPath(app, 'system'), { body: { ...ok, payload: 42 } }],
      ['unknown field', peerPath(app, 'system'), { body: { ...ok, priority: 'high' } }],
      ['flag not a boolean', peerPath(app, 'system'), { body: { ...ok, enable_offline_messaging: 'yes' } }],
      ['not JSON', peerPath(app, 'system'), { rawBody: '{"destination":' }],
      ['a JSON array', peerPath(app, 'system'), { body: [ok] }],
      ['bad wait_for_ack', peerPath(app, 'system', '?wait_for_ack=maybe'), { body: ok }],
    ];
    for (const [what, path, req] of cases) {
      const res = await http.call(api[0], 'POST', path, PEER, { auth: cred.basic, ...req });
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expect(res.body).toMatchObject({ result: 'failed', code: expect.any(String), message: expect.any(String) });
    }
    // A body past API_BODY_MAX_BYTES is refused before it is parsed.
    const huge = await http.call(api[1], 'POST', peerPath(app, 'system'), PEER, { auth: cred.basic, body: { ...ok, payload: 'x'.repeat(200_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ result: 'failed', code: 'payload_too_large' });
    const badChannel = await http.call(api[0], 'POST', channelPath(app, 'system'), CHANNEL, {
      auth: cred.basic,
      body: { channel_name: 'bad channel!\u0000', payload: 'x' },
    });
    expect(badChannel.status).toBe(400);
    const tooMany = await http.call(
      api[1],
      'GET',
      `/v1/apps/${app.appId}/users/status?uids=${Array.from({ length: 257 }, (_, i) => `u${i}`).join(',')}`,
      STATUS,
      {
        auth: cred.basic,
      },
    );
    expect(tooMany.status).toBe(400);
    await sleep(300);
    expect(got).toHaveLength(0);
  });

  it('limits sends per app over both replicas (429 with Retry-After) and leaves other apps alone', async () => {
    const send = (base: string, a: TestApp, c: TestCredential) =>
      http.call(base, 'POST', peerPath(a, 'system'), PEER, { auth: c.basic, body: { destination: 'nobody', payload: 'x' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const a = attempt === 0 ? app : await createTestApp();
      const c = attempt === 0 ? cred : await createCustomerCredential({ appIds: [a.appId] });
      const window = Math.floor(Date.now() / 60_000);
      const first = await Promise.all(Array.from({ length: 20 }, () => send(api[0], a, c)));
      await sleep(500); // replica 0's counts reach replica 1
      const second = await Promise.all(Array.from({ length: 20 }, () => send(api[1], a, c)));
      // Event reads have their own limit.
      const read = (base: string) => http.call(base, 'GET', `/dev/v2/project/${a.appId}/rtm/vendor/user_events`, USER_EVENTS, { auth: c.basic });
      const firstReads = await Promise.all(Array.from({ length: 30 }, () => read(api[0])));
      await sleep(500);
      const moreReads = await Promise.all(Array.from({ length: 15 }, () => read(api[1])));
      if (Math.floor(Date.now() / 60_000) !== window) continue; // the minute turned meanwhile: once more
      const statuses = [...first, ...second].map((r) => r.status);
      expect(first.every((r) => r.status === 200)).toBe(true);
      expect(statuses.filter((s) => s === 200)).toHaveLength(SEND_LIMIT);
      const limited = second.filter((r) => r.status === 429);
      expect(limited).toHaveLength(40 - SEND_LIMIT);
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited[0]!.body).toMatchObject({ result: 'failed', code: 'too_many_requests' });
      expect(firstReads.every((r) => r.status === 200)).toBe(true);
      expect(moreReads.filter((r) => r.status === 200)).toHaveLength(EVENTS_LIMIT - 30);
      expect(moreReads.filter((r) => r.status === 429)).toHaveLength(15 - (EVENTS_LIMIT - 30));
      // Another app is not limited by this one.
      const other = await createTestApp();
      expect((await send(api[1], other, await createCustomerCredential({ appIds: [other.appId] }))).status).toBe(200);
      return;
    }
    throw new Error('the minute turned twice');
  });

  it('delivers once per Idempotency-Key and replays the first answer', async () => {
    const bob = newClient(app.appId, gw[0]);
    const got = peerInbox(bob);
    await bob.login({ uid: 'bob' });
    const req = { auth: cred.basic, headers: { 'idempotency-key': 'order-42-shipped' }, body: { destination: 'bob', payload: 'shipped' } };
    const first = await http.call(api[0], 'POST', peerPath(app, 'shop', '?wait_for_ack=true'), PEER, req);
    const again = await http.call(api[1], 'POST', peerPath(app, 'shop', '?wait_for_ack=true'), PEER, req);
    expect(first.body).toMatchObject({ code: 'message_delivered' });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // The same key for a channel message is another request.
    const ch = await http.call(api[1], 'POST', channelPath(app, 'shop'), CHANNEL, { ...req, body: { channel_name: 'orders', payload: 'x' } });
    expect(ch.status).toBe(200);
    await sleep(300);
    expect(got.map((g) => g.text)).toEqual(['shipped']);
  });

  it('answers online status, member counts and members', async () => {
    const [a, b] = [newClient(app.appId, gw[0]), newClient(app.appId, gw[1])];
    await a.login({ uid: 'ann' });
    await b.login({ uid: 'ben' });
    await a.createChannel('room').join();
    await b.createChannel('room').join();
    const status = await http.call(api[0], 'GET', `/v1/apps/${app.appId}/users/status?uids=ann,ben,cid`, STATUS, { auth: cred.basic });
    expect(status.body).toMatchObject({ statuses: { ann: 'ONLINE', ben: 'ONLINE', cid: 'OFFLINE' } });
    const counts = await http.call(api[1], 'GET', `/v1/apps/${app.appId}/channels/counts?channels=room,empty`, COUNTS, { auth: cred.basic });
    expect(counts.body).toMatchObject({ counts: { room: 2, empty: 0 } });
    const members = await http.call(api[0], 'GET', `/v1/apps/${app.appId}/channels/room/members`, MEMBERS, { auth: cred.basic });
    expect(members.body).toMatchObject({ members: ['ann', 'ben'], next: null });
    // A page at a time, in uid order.
    const first = await http.call(api[1], 'GET', `/v1/apps/${app.appId}/channels/room/members?limit=1`, MEMBERS, { auth: cred.basic });
    expect(first.body).toMatchObject({ members: ['ann'], next: 'ann' });
    const second = await http.call(api[0], 'GET', `/v1/apps/${app.appId}/channels/room/members?limit=1&after=ann`, MEMBERS, { auth: cred.basic });
    expect(second.body).toMatchObject({ members: ['ben'], next: 'ben' });
    const last = await http.call(api[0], 'GET', `/v1/apps/${app.appId}/channels/room/members?limit=1&after=ben`, MEMBERS, { auth: cred.basic });
    expect(last.body).toMatchObject({ members: [], next: null });
    await b.createChannel('hall').join();
    const bens = await http.call(api[1], 'GET', `/v1/apps/${app.appId}/users/ben/channels`, USER_CHANNELS, { auth: cred.basic });
    expect(bens.body).toMatchObject({ channels: ['hall', 'room'] });
    // Another app's credential sees none of it.
    const other = await createTestApp();
    const otherCred = await createCustomerCredential({ appIds: [other.appId] });
    const mine = await http.call(api[0], 'GET', `/v1/apps/${other.appId}/channels/room/members`, MEMBERS, { auth: otherCred.basic });
    expect(mine.body).toMatchObject({ members: [] });
    expect((await http.call(api[0], 'GET', `/v1/apps/${app.appId}/channels/room/members`, MEMBERS, { auth: otherCred.basic })).status).toBe(403);
  });

  it('queues Login/Logout and Join/Leave events, each taken once by concurrent callers on both replicas', async () => {
    type UserEvt = { user_id: string; type: string; ts: number };
    type ChanEvt = UserEvt & { channel_id: string };
    const takeUsers = (base: string) => http.call(base, 'GET', `/dev/v2/project/${app.appId}/rtm/vendor/user_events`, USER_EVENTS, { auth: cred.basic });
    const before = Date.now();
    const [ann, ben] = [newClient(app.appId, gw[0]), newClient(app.appId, gw[1])];
    await ann.login({ uid: 'ann' });
    await ben.login({ uid: 'ben' });
    const room = ann.createChannel('room');
    await room.join();
    await ben.createChannel('room').join();
    await room.leave();
    await ann.logout();

    // Two callers on two replicas at once, until the queue is empty: every event exactly once.
    const users: UserEvt[] = [];
    await waitFor(
      async () => {
        const [a, b] = await Promise.all([takeUsers(api[0]), takeUsers(api[1])]);
        for (const r of [a, b]) {
          expect(r.status).toBe(200);
          users.push(...(r.body as { events: UserEvt[] }).events);
        }
        return users.length >= 3;
      },
      { what: 'the user events', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(users.map((e) => `${e.user_id}:${e.type}`).sort()).toEqual(['ann:Login', 'ann:Logout', 'ben:Login']);
    for (const e of users) {
      expect(e.ts).toBeGreaterThanOrEqual(before - 1000);
      expect(e.ts).toBeLessThanOrEqual(Date.now());
    }
    const annEvents = users.filter((e) => e.user_id === 'ann');
    expect(annEvents.find((e) => e.type === 'Login')!.ts).toBeLessThanOrEqual(annEvents.find((e) => e.type === 'Logout')!.ts);
    expect((await takeUsers(api[0])).body).toMatchObject({ result: 'success', events: [] });

    const channel: ChanEvt[] = [];
    await waitFor(
      async () => {
        const [a, b] = await Promise.all([
          http.call(api[0], 'GET', `/dev/v2/project/${app.appId}/rtm/vendor/channel_events`, CHANNEL_EVENTS, { auth: cred.basic }),
          http.call(api[1], 'GET', `/dev/v2/project/${app.appId}/rtm/vendor/channel_events`, CHANNEL_EVENTS, { auth: cred.basic }),
        ]);
        channel.push(...(a.body as { events: ChanEvt[] }).events, ...(b.body as { events: ChanEvt[] }).events);
        return channel.length >= 3;
      },
      { what: 'the channel events', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(channel.map((e) => `${e.channel_id}:${e.user_id}:${e.type}`).sort()).toEqual(['room:ann:Join', 'room:ann:Leave', 'room:ben:Join']);
    // Agora's other path for the same queue.
    await ben.createChannel('hall').join();
    const hook = await waitFor(
      async () => {
        const r = await http.call(api[1], 'GET', `/dev/v2/project/${app.appId}/rtm/hook/channel_events`, HOOK_CHANNEL_EVENTS, { auth: cred.basic });
        return (r.body as { events: ChanEvt[] }).events.length ? (r.body as { events: ChanEvt[] }).events : undefined;
      },
      { what: 'the hook/channel_events take', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(hook.map((e) => `${e.channel_id}:${e.user_id}:${e.type}`)).toEqual(['hall:ben:Join']);
    // Another app's credential sees none of them.
    const other = await createTestApp();
    const otherCred = await createCustomerCredential({ appIds: [other.appId] });
    expect(
      (await http.call(api[1], 'GET', `/dev/v2/project/${other.appId}/rtm/vendor/user_events`, USER_EVENTS, { auth: otherCred.basic })).body,
    ).toMatchObject({
      events: [],
    });
  });

  it('matches the OpenAPI document (linted) and the Agora shape fixtures with every answer it gave', async () => {
    const doc = (await (await fetch(`${api[0]}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    const lint = lintOpenApi(doc);
    expect(lint).toMatchObject({ valid: true });
    expect(http.seen.length).toBeGreaterThan(30);
    expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
    // Agora's shapes, field for field (agora-rtm-1x.md §11): one fixture per endpoint, compared by keys and value types.
    const dir = join(__dirname, 'fixtures/server-api');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(5);
    for (const file of files) {
      const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { method: string; template: string; status: number; body: unknown };
      // The richest answer seen (an events list with events in it).
      const seen = http.seen
        .filter((r) => r.method === fixture.method && r.template === fixture.template && r.status === fixture.status)
        .sort((a, b) => JSON.stringify(b.body).length - JSON.stringify(a.body).length)[0];
      expect({ file, shape: seen && shapeOf(seen.body) }).toEqual({ file, shape: shapeOf(fixture.body) });
    }
    const docs = await fetch(`${api[1]}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    expect((await fetch(`${api[1]}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
