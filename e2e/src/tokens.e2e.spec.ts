import { randomBytes } from 'node:crypto';
import { createTestApp, nextEvent, Stack, waitFor, type TestApp } from '@parley/testing';
import { AccessToken2, ServiceRtm } from 'agora-token/src/AccessToken2';
import { RtmTokenBuilder as Builder007 } from 'agora-token';
import { RtmRole, RtmTokenBuilder as Builder006 } from 'agora-access-token';
import { AgoraRTM, connectionStates, logoutAll, newClient } from './support/clients';

const now = () => Math.floor(Date.now() / 1000);

/** A 007 token issued `ageSeconds` ago, valid for `expireSeconds` from its issue time. */
function token007At(app: TestApp, uid: string, issueTs: number, expireSeconds: number): string {
  const token = new AccessToken2(app.appId, app.certificate!, issueTs, expireSeconds);
  const rtm = new ServiceRtm(uid);
  rtm.add_privilege(ServiceRtm.kPrivilegeLogin, expireSeconds);
  token.add_service(rtm);
  return token.build();
}

/**
 * Tokens made by Agora's own npm token builders log in to certified apps; wrong ones are refused
 * with the agora-rtm 1.x login error codes; expiry is announced and a renewed token keeps going.
 */
describe('tokens', () => {
  let stack: Stack;
  let certified: TestApp;
  let other: TestApp;
  let staticApp: TestApp;
  let gw: string[];

  beforeAll(async () => {
    stack = await Stack.start({ replicas: { gateway: 2, presence: 1 }, env: { HEARTBEAT_MS: '500', GATEWAY_HEARTBEAT_MS: '500' } });
    gw = stack.gatewayUrls;
    [certified, other, staticApp] = await Promise.all([createTestApp({ certified: true }), createTestApp({ certified: true }), createTestApp()]);
  });

  afterEach(() => logoutAll());
  afterAll(() => stack?.stop());

  it('accepts agora-token (007) and agora-access-token (006) tokens', async () => {
    const t007 = Builder007.buildToken(certified.appId, certified.certificate!, 'ivan', 3600);
    expect(t007.startsWith('007')).toBe(true);
    await newClient(certified.appId, gw[0]!).login({ uid: 'ivan', token: t007 });

    const t006 = Builder006.buildToken(certified.appId, certified.certificate!, 'judy', RtmRole.Rtm_User, now() + 3600);
    expect(t006.startsWith('006')).toBe(true);
    await newClient(certified.appId, gw[1]!).login({ uid: 'judy', token: t006 });
  });

  it.each([
    ['no token on a certified app', () => undefined, 'RtmUnauthenticatedError', 5],
    [
      'a forged token (signed with another certificate)',
      () => Builder007.buildToken(certified.appId, other.certificate!, 'mallory', 3600),
      'RtmUnauthenticatedError',
      5,
    ],
    ['a token of another app', () => Builder007.buildToken(other.appId, other.certificate!, 'mallory', 3600), 'RtmUnauthenticatedError', 5],
    ['a token of another uid', () => Builder007.buildToken(certified.appId, certified.certificate!, 'someone-else', 3600), 'RtmInvalidArgumentError', 3],
    ['an expired 007 token', () => token007At(certified, 'mallory', now() - 7200, 3600), 'RtmUnauthenticatedError', 6],
    [
      'an expired 006 token',
      () => Builder006.buildToken(certified.appId, certified.certificate!, 'mallory', RtmRole.Rtm_User, now() - 10),
      'RtmUnauthenticatedError',
      6,
    ],
    ['a garbage token', () => '007eJxgarbage', 'RtmUnauthenticatedError', 5],
  ])('refuses %s', async (_what, makeToken, name, code) => {
    const client = newClient(certified.appId, gw[0]!);
    const states = connectionStates(client);
    await expect(client.login({ uid: 'mallory', token: makeToken() })).rejects.toMatchObject({ name, code });
    expect(states).toEqual([
      ['CONNECTING', 'LOGIN'],
      ['DISCONNECTED', 'LOGIN_FAILURE'],
    ]);
  });

  it('refuses a token on a static app, and an unknown app id', async () => {
    const token = Builder007.buildToken(certified.appId, certified.certificate!, 'oscar', 3600);
    await expect(newClient(staticApp.appId, gw[0]!).login({ uid: 'oscar', token })).rejects.toMatchObject({ code: 5 });
    await newClient(staticApp.appId, gw[0]!).login({ uid: 'oscar' });
    // A random id: the fixed demo app id of `npm start` may exist in a shared database.
    await expect(newClient(randomBytes(16).toString('hex'), gw[0]!).login({ uid: 'oscar' })).rejects.toMatchObject({ code: 4 });
  });

  it('warns before expiry, reports expiry without kicking, and renews', async () => {
    const client = newClient(certified.appId, [gw[0]!, gw[1]!]);
    const states = connectionStates(client);
    const willExpire = nextEvent(client, 'TokenPrivilegeWillExpire');
    // Expires in 3 s: inside the 30 s warning window at once.
    await client.login({ uid: 'peggy', token: token007At(certified, 'peggy', now(), 3) });
    await willExpire;
    await nextEvent(client, 'TokenExpired', 6_000);
    // Still logged in: an expired token does not end the session.
    expect(await client.queryPeersOnlineStatus(['peggy'])).toEqual({ peggy: true });
    expect(states.at(-1)).toEqual(['CONNECTED', 'LOGIN_SUCCESS']);

    // The connection drops: the re-login with the expired token fails, the SDK says TokenExpired and waits.
    const expiredAgain = nextEvent(client, 'TokenExpired', 15_000);
    await stack.kill(stack.gateways.find((g) => g.url === gw[0])!);
    await expiredAgain;
    expect(states.at(-1)).toEqual(['RECONNECTING', 'INTERRUPTED']);
    await client.renewToken(Builder007.buildToken(certified.appId, certified.certificate!, 'peggy', 3600));
    await waitFor(() => states.at(-1)?.[0] === AgoraRTM.ConnectionState.CONNECTED, { timeoutMs: 15_000, what: 'reconnected' });
    expect(states.at(-1)).toEqual(['CONNECTED', 'LOGIN_SUCCESS']);
    await client.renewToken(Builder007.buildToken(certified.appId, certified.certificate!, 'peggy', 7200));
  });
});
