import { DropReason, ErrorCode, Evt, ParleyError, type AppId, type Uid } from '@parley/contracts';
import { SessionState, type KickMessage, type RegisterSessionReply } from '@parley/contracts/internal';
import type { AuthService } from '../auth/auth.service';
import type { GatewayConfig } from '../config/gateway.config';
import type { PresenceClient } from '../clients/presence.client';
import type { Connection } from '../transport/connection';
import type { Session } from '../transport/session';
import { SessionsService } from './sessions.service';
import type { UserSubscriptions } from './user-subscriptions';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

interface FakeConnection {
  session: Session | null;
  closed: boolean;
  events: Array<[number, unknown]>;
  takeLogin: jest.Mock<number, []>;
  event: jest.Mock<void, [number, unknown]>;
  close: jest.Mock<void, []>;
}

function fakeConnection(): FakeConnection {
  const events: Array<[number, unknown]> = [];
  const conn: FakeConnection = {
    session: null,
    closed: false,
    events,
    takeLogin: jest.fn(() => 0),
    event: jest.fn((evt: number, data: unknown) => void events.push([evt, data])),
    close: jest.fn(() => void (conn.closed = true)),
  };
  return conn;
}

function setup(over: Partial<GatewayConfig> = {}) {
  const config = {
    GATEWAY_ID: 'gw-test',
    LOGIN_RATE: { limit: 2, windowMs: 1000 },
    RENEW_TOKEN_RATE: { limit: 2, windowMs: 1000 },
    RECONNECT_WINDOW_MS: 30_000,
    TOKEN_WARNING_MS: 30_000,
    ...over,
  } as GatewayConfig;
  const subscribed = new Map<string, Set<Session>>();
  const users = {
    add: jest.fn((s: Session): void => void subscribed.set(s.key, new Set([...(subscribed.get(s.key) ?? []), s]))),
    remove: jest.fn((s: Session) => subscribed.get(s.key)?.delete(s)),
  };
  let epoch = 10;
  const presence = {
    register: jest.fn(async (): Promise<RegisterSessionReply> => ({ epoch: ++epoch, replaced: 'none' })),
    unregister: jest.fn(async () => ({ removed: true })),
    setState: jest.fn(async () => ({ changed: true })),
    flushStates: jest.fn(),
  };
  const auth = {
    authenticate: jest.fn(async (a: string, uid: string) => ({ appId: a as AppId, uid: uid as Uid, tokenExpiresAt: 0 })),
  };
  const sut = new SessionsService(auth as unknown as AuthService, presence as unknown as PresenceClient, users as unknown as UserSubscriptions, config);
  const kick = (key: string, k: KickMessage) => sut.kicked(subscribed.get(key) ?? new Set(), k);
  const ban = (key: string, epoch: number) => sut.banned(subscribed.get(key) ?? new Set(), { epoch });
  const login = (conn: FakeConnection, uid: string, instanceId = 'inst-a', reconnect?: boolean) =>
    sut.login(conn as unknown as Connection, { appId, uid, instanceId, ...(reconnect ? { reconnect } : {}) });
  return { sut, users, presence, auth, kick, ban, login, config };
}

describe('SessionsService', () => {
  it('subscribes to the user subject before registering with presence', async () => {
    const { users, presence, login } = setup();
    const order: string[] = [];
    users.add.mockImplementationOnce(() => void order.push('subscribe'));
    presence.register.mockImplementationOnce(async () => (order.push('register'), { epoch: 1, replaced: 'none' }));
    await login(fakeConnection(), 'alice');
    expect(order).toEqual(['subscribe', 'register']);
  });

  it('ends a session with REMOTE_LOGIN when a newer login of another instance kicks it', async () => {
    const { kick, login, sut } = setup();
    const conn = fakeConnection();
    const { sessionId } = await login(conn, 'alice');
    kick(`${appId}/alice`, { epoch: 5, sessionId: 'older', instanceId: 'x' }); // older epoch: ignored
    expect(conn.close).not.toHaveBeenCalled();
    kick(`${appId}/alice`, { epoch: 99, sessionId: 'newer', instanceId: 'inst-b' });
    expect(conn.events).toEqual([[Evt.DROP, { reason: DropReason.REMOTE_LOGIN }]]);
    expect(conn.close).toHaveBeenCalled();
    expect(sut.sessions.size).toBe(0);
    expect(sessionId).toBeTruthy();
  });

  it('ends a stale connection quietly (REPLACED) when the same SDK instance logs in again', async () => {
    const { kick, login } = setup();
    const conn = fakeConnection();
    await login(conn, 'alice', 'inst-a');
    kick(`${appId}/alice`, { epoch: 99, sessionId: 'resumed', instanceId: 'inst-a' });
    expect(conn.events).toEqual([[Evt.DROP, { reason: DropReason.REPLACED }]]);
  });

  it('fails a login that a newer login overtook while it was registering', async () => {
    const { kick, login, presence } = setup();
    presence.register.mockImplementationOnce(async () => {
      kick(`${appId}/alice`, { epoch: 50, sessionId: 'other', instanceId: 'inst-z' });
      return { epoch: 40, replaced: 'none' };
    });
    await expect(login(fakeConnection(), 'alice')).rejects.toMatchObject({ code: ErrorCode.REJECTED });
  });

  it('fails a login presence reports overtaken by a racing newer one (its KICK may still be on its way)', async () => {
    const { login, presence, sut } = setup();
    presence.register.mockImplementationOnce(async () => ({ epoch: 40, replaced: 'none', superseded: true }));
    const conn = fakeConnection();
    await expect(login(conn, 'alice')).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(conn.events).toEqual([[Evt.DROP, { reason: DropReason.REMOTE_LOGIN }]]);
    expect(sut.sessions.size).toBe(0);
  });

  it('ends the sessions registered before a kick with BANNED_BY_SERVER (and unregisters them); a later login stays', async () => {
    const { ban, login, sut, presence } = setup();
    const ended: string[] = [];
    sut.onEnded((s, why) => ended.push(`${s.uid}:${why}`));
    const conn = fakeConnection();
    const { sessionId } = await login(conn, 'alice'); // epoch 11
    const other = fakeConnection();
    await login(other, 'bob'); // epoch 12
    ban(`${appId}/alice`, 11); // not above alice's epoch: a login after the kick
    expect(conn.close).not.toHaveBeenCalled();
    ban(`${appId}/alice`, 20);
    expect(conn.events).toEqual([[Evt.DROP, { reason: DropReason.BANNED_BY_SERVER }]]);
    expect(conn.close).toHaveBeenCalled();
    expect(ended).toEqual(['alice:banned']);
    expect(presence.unregister).toHaveBeenCalledWith({ appId, uid: 'alice', sessionId });
    expect(other.events).toEqual([]);
    expect([...sut.sessions].map((s) => s.uid)).toEqual(['bob']);
    sut.banned(new Set(), { nonsense: true }); // a malformed body is ignored
  });

  it('refuses a login the kick overtook while it registered: DROP BANNED_BY_SERVER, REJECTED', async () => {
    const { ban, login, presence, sut } = setup();
    presence.register.mockImplementationOnce(async () => {
      ban(`${appId}/alice`, 50);
      return { epoch: 40, replaced: 'none' };
    });
    const conn = fakeConnection();
    await expect(login(conn, 'alice')).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(conn.events).toEqual([[Evt.DROP, { reason: DropReason.BANNED_BY_SERVER }]]);
    expect(presence.unregister).toHaveBeenCalledTimes(1);
    expect(sut.sessions.size).toBe(0);
    // A login registered after the kick (a higher epoch) is not touched by it.
    presence.register.mockImplementationOnce(async () => {
      ban(`${appId}/bob`, 50);
      return { epoch: 60, replaced: 'none' };
    });
    await expect(login(fakeConnection(), 'bob')).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('passes on a login presence refused for a ban (REJECTED), leaving nothing behind; a reconnecting client is dropped BANNED_BY_SERVER', async () => {
    const { login, presence, sut, users } = setup();
    const banned = () => new ParleyError(ErrorCode.REJECTED, 'this user is banned until …');
    presence.register.mockRejectedValueOnce(banned());
    const fresh = fakeConnection();
    await expect(login(fresh, 'alice')).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(fresh.events).toEqual([]); // a fresh login gets the error answer (LOGIN_ERR_REJECTED)
    expect(sut.sessions.size).toBe(0);
    expect(users.remove).toHaveBeenCalledTimes(1);

    presence.register.mockRejectedValueOnce(banned());
    const reconnecting = fakeConnection();
    await expect(login(reconnecting, 'alice', 'inst-a', true)).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(reconnecting.events).toEqual([[Evt.DROP, { reason: DropReason.BANNED_BY_SERVER }]]);
    expect(reconnecting.close).toHaveBeenCalled();

    presence.register.mockRejectedValueOnce(new ParleyError(ErrorCode.TIMEOUT, 'presence is slow'));
    const slow = fakeConnection();
    await expect(login(slow, 'alice', 'inst-a', true)).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(slow.events).toEqual([]);
  });

  it('tells the login listeners, after the answer, what the login found', async () => {
    const { login, presence, sut } = setup();
    const seen: unknown[] = [];
    sut.onLogin((session, facts) => seen.push([session.uid, facts]));
    presence.register
      .mockImplementationOnce(async () => ({ epoch: 1, replaced: 'none', offline: false }))
      .mockImplementationOnce(async () => ({ epoch: 2, replaced: 'same-instance', offline: true }))
      .mockImplementationOnce(async () => ({ epoch: 3, replaced: 'remote' })); // an older presence: no offline flag
    await login(fakeConnection(), 'ann');
    await login(fakeConnection(), 'bo', 'inst-a', true);
    await login(fakeConnection(), 'cy');
    expect(seen).toEqual([]);
    await new Promise(setImmediate);
    expect(seen).toEqual([
      ['ann', { replaced: 'none', reconnect: false, offlineStored: false }],
      ['bo', { replaced: 'same-instance', reconnect: true, offlineStored: true }],
      ['cy', { replaced: 'remote', reconnect: false, offlineStored: true }],
    ]);
  });

  it('refuses a second login on one connection and rate-limits logins', async () => {
    const { login } = setup();
    const conn = fakeConnection();
    await login(conn, 'alice');
    await expect(login(conn, 'alice')).rejects.toMatchObject({ code: ErrorCode.ALREADY_LOGIN });
    const limited = fakeConnection();
    limited.takeLogin.mockReturnValue(250);
    await expect(login(limited, 'bob')).rejects.toMatchObject({ code: ErrorCode.TOO_OFTEN, retryAfterMs: 250 });
  });

  it('keeps a session UNREACHABLE for the reconnect window after its connection is lost, then unregisters it', async () => {
    const { sut, login, presence } = setup({ RECONNECT_WINDOW_MS: 1_000 });
    const conn = fakeConnection();
    const { sessionId } = await login(conn, 'alice');
    sut.onConnectionClosed(conn as unknown as Connection);
    expect(presence.setState).toHaveBeenCalledWith(expect.objectContaining({ sessionId, state: SessionState.UNREACHABLE }));
    sut.tick(Date.now() + 500);
    expect(sut.sessions.size).toBe(1);
    sut.tick(Date.now() + 1_500);
    expect(sut.sessions.size).toBe(0);
    expect(presence.unregister).toHaveBeenCalledWith(expect.objectContaining({ sessionId }));
  });

  it('warns before the token expires and reports expiry once, without ending the session', async () => {
    const { sut, login, auth } = setup();
    const exp = Date.now() + 60_000;
    auth.authenticate.mockImplementationOnce(async (a: string, uid: string) => ({ appId: a as AppId, uid: uid as Uid, tokenExpiresAt: exp }));
    const conn = fakeConnection();
    await login(conn, 'alice');
    sut.tick(exp - 31_000);
    expect(conn.events).toEqual([]);
    sut.tick(exp - 29_000);
    sut.tick(exp - 28_000);
    sut.tick(exp + 1);
    sut.tick(exp + 1_001);
    expect(conn.events).toEqual([
      [Evt.TOKEN_WILL_EXPIRE, { expiresAt: exp }],
      [Evt.TOKEN_EXPIRED, { expiresAt: exp }],
    ]);
    expect(sut.sessions.size).toBe(1);
  });
});
