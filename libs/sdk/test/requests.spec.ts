import { ErrorCode, Frame, Op } from '@parley/contracts';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('requests: queryPeersOnlineStatus, renewToken, logout', () => {
  let gw: FakeGateway;

  beforeAll(() => useFastTimers());
  beforeEach(async () => {
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  async function loggedIn() {
    const rec = createClient(gw.url);
    await rec.client.login({ uid: 'alice', token: 't1' });
    rec.states.length = 0;
    return rec;
  }

  describe('queryPeersOnlineStatus', () => {
    it('maps the server booleans (request order) to {peerId: boolean}', async () => {
      const { client } = await loggedIn();
      gw.online.add('bob');
      await expect(client.queryPeersOnlineStatus(['carol', 'bob', 'alice'])).resolves.toEqual({ carol: false, bob: true, alice: true });
      expect(gw.last.requests(Op.QUERY_ONLINE)[0][3]).toEqual({ uids: ['carol', 'bob', 'alice'] });
    });

    it.each([
      ['an empty list', []],
      ['257 ids', Array.from({ length: 257 }, (_, i) => `u${i}`)],
      ['an invalid id', ['ok', 'null']],
      ['not an array', 'bob'],
    ])('rejects %s with RtmInvalidArgumentError code 2', async (_what, ids) => {
      const { client } = await loggedIn();
      const err = await rejection(client.queryPeersOnlineStatus(ids as string[]));
      expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 2]);
      expect(gw.last.requests(Op.QUERY_ONLINE)).toHaveLength(0);
    });

    it('accepts 256 ids', async () => {
      const { client } = await loggedIn();
      const ids = Array.from({ length: 256 }, (_, i) => `u${i}`);
      expect(Object.keys(await client.queryPeersOnlineStatus(ids))).toHaveLength(256);
    });

    it('rejects with RtmInvalidStatusError 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      const err = await rejection(client.queryPeersOnlineStatus(['bob']));
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
    });

    it('maps server TOO_OFTEN to RtmInvokeTooOftenError 5', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.QUERY_ONLINE] = () => ({ code: ErrorCode.TOO_OFTEN, data: { message: 'slow down', retryAfterMs: 100 } });
      const err = await rejection(client.queryPeersOnlineStatus(['bob']));
      expect([err.name, err.code, err.serverCode]).toEqual(['RtmInvokeTooOftenError', 5, ErrorCode.TOO_OFTEN]);
      expect(err.message).toContain('slow down');
    });

    it('rejects a request larger than the gateway frame limit (HELLO.maxFrameBytes) without sending it', async () => {
      gw.maxFrameBytes = 300;
      const { client } = await loggedIn();
      const ids = Array.from({ length: 20 }, (_, i) => `user-with-a-long-name-${i}`);
      const err = await rejection(client.queryPeersOnlineStatus(ids));
      expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 2]);
      expect(gw.last.requests(Op.QUERY_ONLINE)).toHaveLength(0);
      await expect(client.queryPeersOnlineStatus(['bob'])).resolves.toEqual({ bob: false });
    });

    it('times out with RtmTimeoutError 4 after the request deadline', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.QUERY_ONLINE] = () => undefined;
      const started = Date.now();
      const err = await rejection(client.queryPeersOnlineStatus(['bob']));
      expect([err.name, err.code]).toEqual(['RtmTimeoutError', 4]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    });
  });

  describe('renewToken', () => {
    it('sends RENEW_TOKEN {token} and uses the new token for later re-logins', async () => {
      const { client, reach } = await loggedIn();
      await client.renewToken('t2');
      expect(gw.last.requests(Op.RENEW_TOKEN)[0][3]).toEqual({ token: 't2' });
      gw.last.kill();
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      expect(gw.logins.at(-1)).toMatchObject({ reconnect: true, token: 't2' });
    });

    it.each([[''], [undefined], [7]])('rejects token %j with RtmInvalidArgumentError 2', async (token) => {
      const { client } = await loggedIn();
      const err = await rejection(client.renewToken(token as string));
      expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 2]);
    });

    it('allows 2 calls per second, the 3rd is TOO_OFTEN (4)', async () => {
      const { client } = await loggedIn();
      await client.renewToken('a');
      await client.renewToken('b');
      const err = await rejection(client.renewToken('c'));
      expect([err.name, err.code]).toEqual(['RtmInvokeTooOftenError', 4]);
      expect(gw.last.requests(Op.RENEW_TOKEN)).toHaveLength(2);
    });

    it('rejects with 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      const err = await rejection(client.renewToken('t'));
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
    });

    it.each([
      ['TOKEN_EXPIRED', ErrorCode.TOKEN_EXPIRED, 5],
      ['INVALID_TOKEN', ErrorCode.INVALID_TOKEN, 6],
      ['REJECTED', ErrorCode.REJECTED, 3],
    ])('maps server %s to code %i', async (_name, code, agoraCode) => {
      const { client } = await loggedIn();
      gw.handlers[Op.RENEW_TOKEN] = () => ({ code });
      const err = await rejection(client.renewToken('t2'));
      expect([err.name, err.code]).toEqual(['RtmUnauthenticatedError', agoraCode]);
    });

    it('is rejected with 201 ABORTED_BY_LOGOUT when logout() comes first', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.RENEW_TOKEN] = () => undefined;
      const renew = rejection(client.renewToken('t2'));
      await gw.until(() => gw.last.requests(Op.RENEW_TOKEN).length === 1);
      await client.logout();
      const err = await renew;
      expect(err.code).toBe(201);
    });
  });

  describe('logout', () => {
    it('rejects with RtmInvalidStatusError 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      const err = await rejection(client.logout());
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
    });

    it('sends LOGOUT, closes the socket and ends DISCONNECTED/LOGOUT', async () => {
      const { client, states } = await loggedIn();
      const conn = gw.last;
      await client.logout();
      expect(conn.requests(Op.LOGOUT)).toHaveLength(1);
      await gw.until(() => conn.closed, 1000, 'socket closed');
      expect(states).toEqual(['DISCONNECTED/LOGOUT']);
      expect((await rejection(client.logout())).code).toBe(102);
    });

    it('does not wait more than the logout timeout for the server', async () => {
      const { client, states } = await loggedIn();
      gw.handlers[Op.LOGOUT] = () => undefined;
      const started = Date.now();
      await client.logout();
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      expect(states).toEqual(['DISCONNECTED/LOGOUT']);
    });

    it('while RECONNECTING: stops reconnecting and ends DISCONNECTED/LOGOUT; pending requests get 102', async () => {
      const { client, states, reach } = await loggedIn();
      gw.handlers[Op.LOGIN] = () => ({ code: ErrorCode.UNAVAILABLE });
      gw.handlers[Op.QUERY_ONLINE] = () => undefined;
      const query = rejection(client.queryPeersOnlineStatus(['bob']));
      await gw.until(() => gw.last.requests(Op.QUERY_ONLINE).length === 1);
      gw.last.kill();
      await reach('RECONNECTING');
      await client.logout();
      expect(states).toEqual(['RECONNECTING/INTERRUPTED', 'DISCONNECTED/LOGOUT']);
      expect((await query).code).toBe(102);
      const connections = gw.connections.length;
      await delay(300);
      expect(gw.connections.length).toBe(connections);
    });

    it('can log in again after logout', async () => {
      const { client } = await loggedIn();
      await client.logout();
      await delay(120);
      await client.login({ uid: 'alice' });
      expect(gw.logins).toHaveLength(2);
      expect(gw.connections[1].frames.filter((f) => f[0] === Frame.REQ)[0][2]).toBe(Op.LOGIN);
    });
  });
});
