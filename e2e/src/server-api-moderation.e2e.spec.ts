import { RtmTokenBuilder } from 'agora-token';
import { ErrorCode } from '@parley/contracts';
import { createCustomerCredential, createTestApp, Stack, TcpProxy, waitFor, type TestApp, type TestCredential } from '@parley/testing';
import { connectionStates, logoutAll, newClient, waitForState, type RtmClient } from './support/clients';
import { ApiRecorder, lintOpenApi, validateAgainstOpenApi, type ApiResponse } from './support/server-api';
import { FAST_TIMERS } from './support/timers';

const KICK = '/v1/apps/{appid}/users/{uid}/kick';
const USER_BAN = '/v1/apps/{appid}/users/{uid}/ban';
const CHANNEL_BANS = '/v1/apps/{appid}/channels/{channel}/bans';
const CHANNEL_BAN = '/v1/apps/{appid}/channels/{channel}/bans/{uid}';
const STATUS = '/v1/apps/{appid}/users/status';
const MEMBERS = '/v1/apps/{appid}/channels/{channel}/members';
const USER_EVENTS = '/dev/v2/project/{appid}/rtm/vendor/user_events';

/** agora-rtm-sdk 1.x numeric codes the SDK reports (spec §6.1). */
const LOGIN_ERR_REJECTED = 2;
const JOIN_CHANNEL_ERR_FAILURE = 1;
const CHANNEL_MESSAGE_ERR_NOT_IN_CHANNEL = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorCode = (res: ApiResponse) => (res.body as { error?: { code?: string } }).error?.code;

/** The rejection of `p` (fails the test if it resolves). */
async function refusal(p: Promise<unknown>): Promise<{ name: string; code?: number; serverCode?: number; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!err) throw new Error('expected a rejection');
  return err as { name: string; code?: number; serverCode?: number; message: string };
}

/**
 * Kicks and bans through the server API (apps/api ×2) against SDK users on two gateways, two presence
 * and two channel replicas: a kicked user's SDK goes ABORTED / BANNED_BY_SERVER (+ BannedByServer)
 * and does not reconnect; a login ban refuses its logins until lifted; a channel ban removes a member
 * on another gateway and refuses its joins; bans survive kill -9 of every presence and channel
 * replica; only customer credentials may moderate; every answer matches the OpenAPI document.
 */
describe('server API: kicks and bans', () => {
  let stack: Stack;
  let api: [string, string];
  let gw: [string, string];
  const http = new ApiRecorder();
  let app: TestApp;
  let cred: TestCredential;

  const enc = encodeURIComponent;
  const kick = (base: string, uid: string, body?: unknown, auth = cred.basic) =>
    http.call(base, 'POST', `/v1/apps/${app.appId}/users/${enc(uid)}/kick`, KICK, { auth, body });
  const userBan = (base: string, method: 'GET' | 'DELETE', uid: string, auth = cred.basic) =>
    http.call(base, method, `/v1/apps/${app.appId}/users/${enc(uid)}/ban`, USER_BAN, { auth });
  const banFromChannel = (base: string, ch: string, body: unknown, auth = cred.basic) =>
    http.call(base, 'POST', `/v1/apps/${app.appId}/channels/${enc(ch)}/bans`, CHANNEL_BANS, { auth, body });
  const channelBans = (base: string, ch: string, query = '', auth = cred.basic) =>
    http.call(base, 'GET', `/v1/apps/${app.appId}/channels/${enc(ch)}/bans${query}`, CHANNEL_BANS, { auth });
  const liftChannelBan = (base: string, ch: string, uid: string, auth = cred.basic) =>
    http.call(base, 'DELETE', `/v1/apps/${app.appId}/channels/${enc(ch)}/bans/${enc(uid)}`, CHANNEL_BAN, { auth });
  const status = async (base: string, uid: string) =>
    (
      (await http.call(base, 'GET', `/v1/apps/${app.appId}/users/status?uids=${enc(uid)}`, STATUS, { auth: cred.basic })).body as {
        statuses: Record<string, string>;
      }
    ).statuses[uid];
  const members = async (base: string, ch: string) =>
    ((await http.call(base, 'GET', `/v1/apps/${app.appId}/channels/${enc(ch)}/members`, MEMBERS, { auth: cred.basic })).body as { members: string[] }).members;

  /** A member of `ch` whose MemberJoined / MemberLeft and messages are collected. */
  async function member(client: RtmClient, ch: string) {
    const channel = client.createChannel(ch);
    const seen: string[] = [];
    channel.on('MemberJoined', (uid) => seen.push(`joined:${uid}`));
    channel.on('MemberLeft', (uid) => seen.push(`left:${uid}`));
    channel.on('ChannelMessage', (message, from) => seen.push(`message:${from}:${(message as { text?: string }).text}`));
    await channel.join();
    return { channel, seen };
  }

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, api: 2, presence: 2, channel: 2, attributes: 1 },
      env: { ...FAST_TIMERS, SERVICE_TIMEOUT_MS: '3000' },
      appEnv: { api: { AUTH_CACHE_TTL_MS: '0' }, gateway: { JOIN_SAME_CHANNEL_RATE: '50/5000' } },
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

  it('kicks a user on the other gateway: ABORTED / BANNED_BY_SERVER + BannedByServer, no reconnect, OFFLINE at once, refused until the ban is lifted', async () => {
    const alice = newClient(app.appId, gw[1]);
    const bob = newClient(app.appId, gw[0]);
    await Promise.all([alice.login({ uid: 'alice' }), bob.login({ uid: 'bob' })]);
    await member(alice, 'hall');
    const hall = await member(bob, 'hall');
    const states = connectionStates(alice);
    let bannedEvents = 0;
    alice.on('BannedByServer', () => bannedEvents++);

    const before = Date.now();
    const res = await kick(api[0], 'alice', { banSeconds: 60, reason: 'spam' });
    expect(res.status).toBe(200);
    const { kicked, until } = res.body as { kicked: boolean; until: number };
    expect(kicked).toBe(true);
    expect(until).toBeGreaterThanOrEqual(before + 59_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 61_000);

    await waitForState(alice, states, 'ABORTED', 'BANNED_BY_SERVER');
    expect(bannedEvents).toBe(1);
    // OFFLINE at once (no reconnect window), and out of its channels: bob saw MemberLeft.
    expect(await status(api[1], 'alice')).toBe('OFFLINE');
    await waitFor(() => hall.seen.includes('left:alice'), { what: 'MemberLeft of the kicked user' });
    expect(await members(api[0], 'hall')).toEqual(['bob']);
    // The SDK does not reconnect after a ban.
    await sleep(1_500);
    expect(states).toEqual([['ABORTED', 'BANNED_BY_SERVER']]);
    expect(await status(api[0], 'alice')).toBe('OFFLINE');

    const ban = await userBan(api[1], 'GET', 'alice');
    expect(ban.body).toEqual({ banned: true, until, request_id: ban.headers.get('x-request-id') });

    // A new login during the ban: LOGIN_ERR_REJECTED (RtmUnauthenticatedError), on either gateway.
    for (const url of gw) {
      const again = newClient(app.appId, url);
      const againStates = connectionStates(again);
      const err = await refusal(again.login({ uid: 'alice' }));
      expect({ name: err.name, code: err.code, serverCode: err.serverCode }).toEqual({
        name: 'RtmUnauthenticatedError',
        code: LOGIN_ERR_REJECTED,
        serverCode: ErrorCode.REJECTED,
      });
      expect(againStates).toEqual([
        ['CONNECTING', 'LOGIN'],
        ['DISCONNECTED', 'LOGIN_FAILURE'],
      ]);
    }
    // Other users of the app log in as usual.
    await newClient(app.appId, gw[1]).login({ uid: 'carol' });

    const lifted = await userBan(api[0], 'DELETE', 'alice');
    expect(lifted.body).toMatchObject({ lifted: true });
    expect((await userBan(api[1], 'DELETE', 'alice')).body).toMatchObject({ lifted: false });
    expect((await userBan(api[1], 'GET', 'alice')).body).toMatchObject({ banned: false, until: null });
    const back = newClient(app.appId, gw[1]);
    await back.login({ uid: 'alice' });
    expect(await status(api[1], 'alice')).toBe('ONLINE');

    // The event record has the kick as a Logout.
    const events = await http.call(api[0], 'GET', `/dev/v2/project/${app.appId}/rtm/vendor/user_events`, USER_EVENTS, { auth: cred.basic });
    const alices = (events.body as { events: { user_id: string; type: string }[] }).events.filter((e) => e.user_id === 'alice').map((e) => e.type);
    expect(alices).toEqual(['Login', 'Logout', 'Login']);
  });

  it('kicks without a ban (no body): the sessions end, the user may log in again at once; a user without a session is no error', async () => {
    const dan = newClient(app.appId, gw[0]);
    await dan.login({ uid: 'dan' });
    const states = connectionStates(dan);
    const res = await kick(api[1], 'dan');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kicked: true, until: null });
    await waitForState(dan, states, 'ABORTED', 'BANNED_BY_SERVER');
    expect((await userBan(api[0], 'GET', 'dan')).body).toMatchObject({ banned: false, until: null });
    await newClient(app.appId, gw[1]).login({ uid: 'dan' });

    expect((await kick(api[0], 'nobody', { reason: 'just in case' })).body).toMatchObject({ kicked: false, until: null });
    // A kick with a ban of a user who is not logged in still bans it.
    expect((await kick(api[0], 'later', { banSeconds: 30 })).body).toMatchObject({ kicked: false, until: expect.any(Number) });
    const err = await refusal(newClient(app.appId, gw[0]).login({ uid: 'later' }));
    expect(err.code).toBe(LOGIN_ERR_REJECTED);
  });

  it('ends a client that was reconnecting when it was kicked with a ban: its re-login is dropped BANNED_BY_SERVER', async () => {
    const gateway = stack.gateways.find((g) => g.url === gw[1])!;
    const proxy = await TcpProxy.start(`127.0.0.1:${gateway.port}`);
    try {
      const greg = newClient(app.appId, `${proxy.url('ws')}/v1/ws`);
      await greg.login({ uid: 'greg' });
      const states = connectionStates(greg);
      let bannedEvents = 0;
      greg.on('BannedByServer', () => bannedEvents++);
      proxy.cut();
      await waitForState(greg, states, 'RECONNECTING', 'INTERRUPTED');
      expect((await kick(api[0], 'greg', { banSeconds: 30 })).body).toMatchObject({ kicked: true });
      proxy.restore();
      await waitForState(greg, states, 'ABORTED', 'BANNED_BY_SERVER');
      expect(states).toEqual([
        ['RECONNECTING', 'INTERRUPTED'],
        ['ABORTED', 'BANNED_BY_SERVER'],
      ]);
      expect(bannedEvents).toBe(1);
      expect(await status(api[1], 'greg')).toBe('OFFLINE');
    } finally {
      await proxy.stop();
    }
  });

  it('bans a member from a channel: removed on its gateway, MemberLeft for the others, its joins refused until lifted', async () => {
    const bob = newClient(app.appId, gw[0]);
    const carol = newClient(app.appId, gw[1]);
    const dave = newClient(app.appId, gw[1]);
    await Promise.all([bob.login({ uid: 'bob' }), carol.login({ uid: 'carol' }), dave.login({ uid: 'dave' })]);
    const b = await member(bob, 'room');
    const c = await member(carol, 'room');
    const d = await member(dave, 'room');
    const other = await member(carol, 'other');
    await waitFor(() => b.seen.filter((s) => s.startsWith('joined:')).length === 2, { what: 'MemberJoined of carol and dave' });

    const before = Date.now();
    const res = await banFromChannel(api[0], 'room', { uid: 'carol', seconds: 60 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ uid: 'carol', removed: true, until: expect.any(Number) });
    const { until } = res.body as { until: number };
    expect(until).toBeGreaterThanOrEqual(before + 59_000);

    // Peers on both gateways see MemberLeft; carol is not a member any more.
    await waitFor(() => b.seen.includes('left:carol') && d.seen.includes('left:carol'), { what: 'MemberLeft of carol on both gateways' });
    expect((await members(api[1], 'room')).sort()).toEqual(['bob', 'dave']);
    expect((await channelBans(api[1], 'room')).body).toMatchObject({ bans: [{ uid: 'carol', until }], next: null });
    // Her gateway no longer delivers the channel to her, and her sends answer NOT_IN_CHANNEL.
    await b.channel.sendMessage({ text: 'after the ban' });
    await waitFor(() => d.seen.includes('message:bob:after the ban'), { what: 'the message at dave' });
    await sleep(300);
    expect(c.seen.filter((s) => s.startsWith('message:'))).toEqual([]);
    const sendErr = await refusal(c.channel.sendMessage({ text: 'still here?' }));
    expect({ code: sendErr.code, serverCode: sendErr.serverCode }).toEqual({ code: CHANNEL_MESSAGE_ERR_NOT_IN_CHANNEL, serverCode: ErrorCode.NOT_IN_CHANNEL });
    // Her other channel is untouched.
    await other.channel.sendMessage({ text: 'other still works' });

    // Leaving (the server no longer has her: fine) and joining again: refused, a join failure.
    await c.channel.leave();
    const joinErr = await refusal(c.channel.join());
    expect({ code: joinErr.code, serverCode: joinErr.serverCode }).toEqual({ code: JOIN_CHANNEL_ERR_FAILURE, serverCode: ErrorCode.REJECTED });
    expect(joinErr.message).toMatch(/banned/);
    // A ban of someone who is not a member: recorded, nothing removed.
    expect((await banFromChannel(api[1], 'room', { uid: 'erin', seconds: 30 })).body).toMatchObject({ uid: 'erin', removed: false });
    const page = await channelBans(api[0], 'room', '?limit=1');
    expect(page.body).toMatchObject({ bans: [{ uid: 'carol' }], next: 'carol' });
    expect((await channelBans(api[0], 'room', '?limit=1&after=carol')).body).toMatchObject({ bans: [{ uid: 'erin' }] });

    const lifted = await liftChannelBan(api[1], 'room', 'carol');
    expect(lifted.body).toMatchObject({ lifted: true });
    expect((await liftChannelBan(api[0], 'room', 'carol')).body).toMatchObject({ lifted: false });
    await c.channel.join();
    await waitFor(() => b.seen.filter((s) => s === 'joined:carol').length === 2, { what: 'MemberJoined of carol again' });
    expect((await channelBans(api[0], 'room')).body).toMatchObject({ bans: [{ uid: 'erin' }] });
  });

  it('keeps login and channel bans across kill -9 of every presence and channel replica', async () => {
    expect((await kick(api[0], 'eve', { banSeconds: 120 })).status).toBe(200);
    expect((await banFromChannel(api[1], 'den', { uid: 'frank', seconds: 120 })).status).toBe(201);

    // Every replica of both services at once: nothing of the bans lives in a process.
    const services = stack.processes.filter((p) => p.app === 'presence' || p.app === 'channel');
    await Promise.all(services.map((p) => stack.kill(p)));
    await Promise.all(services.map((p) => stack.spawn(p.app, p.index)));

    // The new processes answer on the same queue groups.
    await waitFor(async () => (await userBan(api[1], 'GET', 'eve')).status === 200, { what: 'presence back' });
    expect((await userBan(api[1], 'GET', 'eve')).body).toMatchObject({ banned: true });
    expect((await channelBans(api[0], 'den')).body).toMatchObject({ bans: [{ uid: 'frank' }] });
    const err = await refusal(newClient(app.appId, gw[0]).login({ uid: 'eve' }));
    expect(err.code).toBe(LOGIN_ERR_REJECTED);
    const frank = newClient(app.appId, gw[1]);
    await frank.login({ uid: 'frank' });
    const den = frank.createChannel('den');
    expect((await refusal(den.join())).serverCode).toBe(ErrorCode.REJECTED);

    await userBan(api[0], 'DELETE', 'eve');
    await liftChannelBan(api[1], 'den', 'frank');
    await newClient(app.appId, gw[1]).login({ uid: 'eve' });
    await den.join();
  });

  it('lets only customer credentials moderate: an RTM token gets 403 (its own uid too); bad input 400; no credentials 401', async () => {
    const certified = await createTestApp({ certified: true });
    const certifiedCred = await createCustomerCredential({ appIds: [certified.appId] });
    app = certified;
    const asMod = { 'x-agora-token': RtmTokenBuilder.buildToken(certified.appId, certified.certificate!, 'mod', 3600), 'x-agora-uid': 'mod' };
    const token = (base: string, method: 'GET' | 'POST' | 'DELETE', path: string, template: string, body?: unknown) =>
      http.call(base, method, `/v1/apps/${certified.appId}${path}`, template, { headers: asMod, body });
    for (const res of [
      await token(api[0], 'POST', '/users/ann/kick', KICK, { banSeconds: 10 }),
      await token(api[1], 'POST', '/users/mod/kick', KICK),
      await token(api[0], 'GET', '/users/ann/ban', USER_BAN),
      await token(api[1], 'DELETE', '/users/mod/ban', USER_BAN),
      await token(api[0], 'POST', '/channels/room/bans', CHANNEL_BANS, { uid: 'ann', seconds: 10 }),
      await token(api[1], 'GET', '/channels/room/bans', CHANNEL_BANS),
      await token(api[0], 'DELETE', '/channels/room/bans/ann', CHANNEL_BAN),
    ]) {
      expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 403, code: 'forbidden' });
    }
    // Nothing happened: the token's user is not banned.
    expect((await userBan(api[0], 'GET', 'ann', certifiedCred.basic)).body).toMatchObject({ banned: false });

    for (const [res, what] of [
      [await kick(api[0], 'ann', { banSeconds: 31_536_001 }, certifiedCred.basic), 'banSeconds over a year'],
      [await kick(api[1], 'ann', { banSeconds: -1 }, certifiedCred.basic), 'a negative ban'],
      [await kick(api[0], 'ann', { banSeconds: 1.5 }, certifiedCred.basic), 'a fractional ban'],
      [await kick(api[1], 'ann', { reason: 'r'.repeat(257) }, certifiedCred.basic), 'a long reason'],
      [await kick(api[0], 'ann', { ban: 10 }, certifiedCred.basic), 'an unknown field'],
      [await kick(api[1], ' ann', {}, certifiedCred.basic), 'an invalid uid'],
      [await banFromChannel(api[0], 'room', { uid: 'ann', seconds: 0 }, certifiedCred.basic), 'a ban of 0 s'],
      [await banFromChannel(api[1], 'room', { uid: 'ann' }, certifiedCred.basic), 'no seconds'],
      [await banFromChannel(api[0], 'room', { uid: 'a\u0000b', seconds: 5 }, certifiedCred.basic), 'an invalid uid'],
      [await channelBans(api[1], 'room', '?limit=0', certifiedCred.basic), 'limit 0'],
    ] as const) {
      expect({ what, status: res.status, code: errorCode(res) }).toEqual({ what, status: 400, code: 'invalid_request' });
    }
    const anonymous = await http.call(api[0], 'GET', `/v1/apps/${certified.appId}/users/ann/ban`, USER_BAN);
    expect(anonymous.status).toBe(401);
    // Another app's credential.
    const otherCred = await createCustomerCredential({ appIds: [(await createTestApp()).appId] });
    expect((await kick(api[1], 'ann', {}, otherCred.basic)).status).toBe(403);
  });

  it('matches the OpenAPI document (linted) with every answer it gave', async () => {
    const doc = (await (await fetch(`${api[0]}/v1/openapi.json`)).json()) as Parameters<typeof validateAgainstOpenApi>[0];
    expect(lintOpenApi(doc)).toMatchObject({ valid: true });
    expect(doc.paths[KICK]?.['post']).toBeDefined();
    expect(doc.paths[USER_BAN]?.['get']).toBeDefined();
    expect(doc.paths[USER_BAN]?.['delete']).toBeDefined();
    expect(doc.paths[CHANNEL_BANS]?.['post']).toBeDefined();
    expect(doc.paths[CHANNEL_BANS]?.['get']).toBeDefined();
    expect(doc.paths[CHANNEL_BAN]?.['delete']).toBeDefined();
    expect(http.seen.length).toBeGreaterThan(40);
    expect(validateAgainstOpenApi(doc, http.seen)).toEqual([]);
  });
});
