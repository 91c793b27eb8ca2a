import { ErrorCode, Frame, Op } from '@parley/contracts';
import { WebSocket } from 'ws';
import AgoraRTM from '../src';
import { VERSION } from '../src/version';
import { FakeGateway, deadUrl } from './fake-gateway';
import { APP_ID, createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('login', () => {
  let gw: FakeGateway;

  beforeAll(() => useFastTimers());
  beforeEach(async () => {
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  it('logs in: CONNECTING/LOGIN then CONNECTED/LOGIN_SUCCESS, with the LOGIN args of the protocol', async () => {
    const { client, states } = createClient(gw.url);
    await client.login({ uid: 'alice', token: '006secret-token-value' });
    expect(states).toEqual(['CONNECTING/LOGIN', 'CONNECTED/LOGIN_SUCCESS']);
    expect(gw.logins).toEqual([
      { appId: APP_ID, uid: 'alice', token: '006secret-token-value', instanceId: client.instanceId, reconnect: false, sdk: `parley/${VERSION}` },
    ]);
    expect(client.instanceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives every client its own random instanceId', () => {
    const a = createClient(gw.url).client;
    const b = createClient(gw.url).client;
    expect(a.instanceId).not.toEqual(b.instanceId);
  });

  it('omits the token when none is given', async () => {
    const { client } = createClient(gw.url);
    await client.login({ uid: 'bob' });
    expect(gw.logins[0]).not.toHaveProperty('token');
  });

  it.each([
    ['INVALID_APP_ID', ErrorCode.INVALID_APP_ID, 'RtmUnauthenticatedError', 4],
    ['INVALID_TOKEN', ErrorCode.INVALID_TOKEN, 'RtmUnauthenticatedError', 5],
    ['TOKEN_EXPIRED', ErrorCode.TOKEN_EXPIRED, 'RtmUnauthenticatedError', 6],
    ['INVALID_USER_ID', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 3],
    ['INVALID_ARGUMENT', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
    ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 10],
    ['REJECTED', ErrorCode.REJECTED, 'RtmUnauthenticatedError', 2],
    ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
  ])('maps a %s (wire %i) rejection to %s code %i and DISCONNECTED/LOGIN_FAILURE', async (_name, code, errorName, agoraCode) => {
    gw.handlers[Op.LOGIN] = () => ({ code, data: { message: 'no' } });
    const { client, states } = createClient(gw.url);
    const err = await rejection(client.login({ uid: 'alice' }));
    expect(err.name).toBe(errorName);
    expect(err.code).toBe(agoraCode);
    expect(err.serverCode).toBe(code);
    expect(states).toEqual(['CONNECTING/LOGIN', 'DISCONNECTED/LOGIN_FAILURE']);
    expect(gw.connections).toHaveLength(1); // a rejection is final: no retry
  });

  it.each([[''], ['null'], [' lead'], ['a'.repeat(65)], ['tab\there'], [42 as unknown as string]])(
    'rejects uid %j with RtmInvalidArgumentError code 3 and no state change',
    async (uid) => {
      const { client, states } = createClient(gw.url);
      const err = await rejection(client.login({ uid }));
      expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      expect(states).toEqual([]);
    },
  );

  it('times out with RtmTimeoutError code 9 and DISCONNECTED/LOGIN_TIMEOUT when the server never answers', async () => {
    gw.handlers[Op.LOGIN] = () => undefined;
    const { client, states } = createClient(gw.url);
    const started = Date.now();
    const err = await rejection(client.login({ uid: 'alice' }));
    expect([err.name, err.code]).toEqual(['RtmTimeoutError', 9]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(states).toEqual(['CONNECTING/LOGIN', 'DISCONNECTED/LOGIN_TIMEOUT']);
  });

  it('rejects a second login within the re-entry time with TOO_OFTEN (10), later with ALREADY_LOGIN (8)', async () => {
    const { client } = createClient(gw.url);
    const first = client.login({ uid: 'alice' });
    const tooOften = await rejection(client.login({ uid: 'alice' }));
    expect([tooOften.name, tooOften.code]).toEqual(['RtmInvokeTooOftenError', 10]);
    await first;
    await delay(120);
    const already = await rejection(client.login({ uid: 'alice' }));
    expect([already.name, already.code]).toEqual(['RtmInvalidStatusError', 8]);
  });

  it('logout() during login rejects the login with 201 ABORTED_BY_LOGOUT and ends DISCONNECTED/LOGOUT', async () => {
    gw.handlers[Op.LOGIN] = () => undefined;
    const { client, states } = createClient(gw.url);
    const login = client.login({ uid: 'alice' });
    await gw.until(() => gw.connections.length > 0 && gw.last.requests(Op.LOGIN).length > 0);
    await client.logout();
    const err = await rejection(login);
    expect(err.code).toBe(201);
    expect(states).toEqual(['CONNECTING/LOGIN', 'DISCONNECTED/LOGOUT']);
  });

  it('fails over to the next URL when the first is down', async () => {
    const { client, states } = createClient([await deadUrl(), gw.url]);
    await client.login({ uid: 'alice' });
    expect(states).toEqual(['CONNECTING/LOGIN', 'CONNECTED/LOGIN_SUCCESS']);
    expect(gw.logins).toHaveLength(1);
  });

  it('keeps retrying unreachable URLs until the login deadline', async () => {
    const { client, states } = createClient([await deadUrl(), await deadUrl()]);
    const err = await rejection(client.login({ uid: 'alice' }));
    expect(err.code).toBe(9);
    expect(states).toEqual(['CONNECTING/LOGIN', 'DISCONNECTED/LOGIN_TIMEOUT']);
  });

  it('can log in again after a failed login', async () => {
    gw.handlers[Op.LOGIN] = () => ({ code: ErrorCode.INVALID_TOKEN });
    const { client } = createClient(gw.url);
    await rejection(client.login({ uid: 'alice', token: 'bad' }));
    delete gw.handlers[Op.LOGIN];
    gw.handlers[Op.LOGIN] = (conn, args) => {
      conn.login = args;
      return { code: ErrorCode.OK, data: { sessionId: 's', serverTs: 0, tokenExpiresAt: 0 } };
    };
    await delay(120);
    await client.login({ uid: 'alice', token: 'good' });
    expect(gw.logins.map((l) => l.token)).toEqual(['good']);
  });

  it('uses globalThis.WebSocket when no implementation is injected', async () => {
    AgoraRTM.setWebSocketImplementation(null);
    try {
      const { client } = createClient(gw.url);
      await client.login({ uid: 'alice' });
      expect(gw.logins).toHaveLength(1);
    } finally {
      useFastTimers();
    }
  });

  it("accepts the WebSocket constructor through setParameter('WebSocket', ctor)", async () => {
    const Ctor = jest.fn((url: string) => new WebSocket(url));
    AgoraRTM.setParameter('WebSocket', Ctor);
    try {
      const { client } = createClient(gw.url);
      await client.login({ uid: 'alice' });
      expect(Ctor).toHaveBeenCalledWith(`${gw.url}/v1/ws`);
    } finally {
      useFastTimers();
    }
  });

  it('never writes the token into log lines', async () => {
    const lines: string[] = [];
    const spies = (['error', 'warn', 'info', 'debug'] as const).map((level) =>
      jest
        .spyOn(console, level)
        .mockImplementation((...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))),
    );
    try {
      const { client } = createClient(gw.url, { logFilter: AgoraRTM.LOG_FILTER_DEBUG });
      await client.login({ uid: 'alice', token: 'tok-SECRET-123' });
      await client.renewToken('tok-SECRET-456');
      await client.logout();
      client.updateConfig({ logFilter: AgoraRTM.LOG_FILTER_OFF });
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.startsWith('[parley]'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/SECRET/);
  });

  it('sends LOGIN as the first request after HELLO', async () => {
    const { client } = createClient(gw.url);
    await client.login({ uid: 'alice' });
    expect(gw.last.frames[0]).toEqual([Frame.REQ, expect.any(Number), Op.LOGIN, expect.any(Object)]);
  });
});
