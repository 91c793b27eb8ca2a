import { DropReason, ErrorCode, Evt, Frame, Op } from '@parley/contracts';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('link loss, reconnect and server pushes', () => {
  let gw: FakeGateway;

  beforeAll(() => useFastTimers());
  beforeEach(async () => {
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  async function loggedIn(urls: string | string[] = gw.url) {
    const rec = createClient(urls);
    await rec.client.login({ uid: 'alice', token: 't1' });
    rec.states.length = 0;
    return rec;
  }

  it('goes RECONNECTING/INTERRUPTED when the socket dies, then resumes with reconnect:true and the same instanceId', async () => {
    const { client, states, reach } = await loggedIn();
    gw.last.kill();
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(states).toEqual(['RECONNECTING/INTERRUPTED', 'CONNECTED/LOGIN_SUCCESS']);
    expect(gw.logins.map((l) => [l.reconnect, l.instanceId, l.token])).toEqual([
      [false, client.instanceId, 't1'],
      [true, client.instanceId, 't1'],
    ]);
  });

  it('runs the internal onResumed hooks after a re-login (not after the first login)', async () => {
    const { client, reach } = createClient(gw.url);
    const resumed = jest.fn();
    (client as unknown as { core: { onResumed(h: () => void): void } }).core.onResumed(resumed);
    await client.login({ uid: 'alice' });
    expect(resumed).not.toHaveBeenCalled();
    gw.last.kill();
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(resumed).toHaveBeenCalledTimes(1);
  });

  it('keeps reconnecting while the gateway is away and resumes when it is back', async () => {
    const { reach, states } = await loggedIn();
    let refuse = 3;
    gw.handlers[Op.LOGIN] = (conn) => {
      if (refuse-- > 0) {
        conn.kill();
        return undefined;
      }
      return { code: ErrorCode.OK, data: { sessionId: 'x', serverTs: 0, tokenExpiresAt: 0 } };
    };
    gw.last.kill();
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(gw.connections.length).toBe(5);
    expect(states).toEqual(['RECONNECTING/INTERRUPTED', 'CONNECTED/LOGIN_SUCCESS']);
  });

  it('detects a silent link by heartbeat timeout (2 × heartbeatMs + 1 s) and reconnects', async () => {
    gw.heartbeatMs = 100;
    const { reach } = await loggedIn();
    const silent = gw.last;
    await gw.until(() => silent.framesOf(Frame.PING).length >= 2, 2000, 'client PINGs');
    gw.answerPings = false; // from now on the first socket receives nothing
    const started = Date.now();
    await reach('RECONNECTING', 'INTERRUPTED', 3000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(2000);
    gw.answerPings = true;
    await reach('CONNECTED', 'LOGIN_SUCCESS');
  });

  it('PINGs only when it sent nothing for heartbeatMs, and answers server PINGs with PONG', async () => {
    gw.heartbeatMs = 150;
    await loggedIn();
    const conn = gw.last;
    await delay(400);
    const pings = conn.framesOf(Frame.PING).length;
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(pings).toBeLessThanOrEqual(3);
    conn.send([Frame.PING, 12345]);
    await gw.until(() => conn.framesOf(Frame.PONG).some((f) => f[1] === 12345), 1000, 'PONG');
  });

  it('on re-login TOKEN_EXPIRED: emits TokenExpired, stays RECONNECTING, and uses the renewed token', async () => {
    const { client, states, events, reach } = await loggedIn();
    gw.handlers[Op.LOGIN] = (conn, args) =>
      args.token === 'fresh'
        ? ((conn.login = args), { code: ErrorCode.OK, data: { sessionId: 'y', serverTs: 0, tokenExpiresAt: 0 } })
        : { code: ErrorCode.TOKEN_EXPIRED };
    gw.last.kill();
    await reach('RECONNECTING');
    await gw.until(() => events.includes('TokenExpired'), 2000, 'TokenExpired');
    await delay(300); // several more refused attempts
    expect(states).toEqual(['RECONNECTING/INTERRUPTED']);
    expect(events.filter((e) => e === 'TokenExpired')).toHaveLength(1);
    await client.renewToken('fresh');
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(gw.logins.at(-1)).toMatchObject({ token: 'fresh', reconnect: true });
  });

  it('ends DISCONNECTED/LOGIN_FAILURE when a re-login is refused with INVALID_TOKEN', async () => {
    const { states, reach } = await loggedIn();
    gw.handlers[Op.LOGIN] = () => ({ code: ErrorCode.INVALID_TOKEN });
    gw.last.kill();
    await reach('DISCONNECTED', 'LOGIN_FAILURE');
    expect(states).toEqual(['RECONNECTING/INTERRUPTED', 'DISCONNECTED/LOGIN_FAILURE']);
  });

  it('DROP REMOTE_LOGIN → ABORTED/REMOTE_LOGIN, no reconnect, pending requests fail with 102', async () => {
    const { client, states, reach } = await loggedIn();
    gw.handlers[Op.QUERY_ONLINE] = () => undefined;
    const pending = rejection(client.queryPeersOnlineStatus(['bob']));
    await gw.until(() => gw.last.requests(Op.QUERY_ONLINE).length === 1);
    gw.last.drop(DropReason.REMOTE_LOGIN);
    await reach('ABORTED', 'REMOTE_LOGIN');
    const err = await pending;
    expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
    await delay(300);
    expect(gw.connections).toHaveLength(1);
    expect(states).toEqual(['ABORTED/REMOTE_LOGIN']);
    const logoutErr = await rejection(client.logout());
    expect(logoutErr.code).toBe(102);
    await delay(120);
    await client.login({ uid: 'alice' }); // a new login works after ABORTED
  });

  it('DROP TOKEN_EXPIRED → ABORTED/TOKEN_EXPIRED and TokenExpired', async () => {
    const { states, events, reach } = await loggedIn();
    gw.last.drop(DropReason.TOKEN_EXPIRED);
    await reach('ABORTED', 'TOKEN_EXPIRED');
    expect(states).toEqual(['ABORTED/TOKEN_EXPIRED']);
    expect(events).toEqual(['TokenExpired']);
  });

  it('DROP BANNED_BY_SERVER → ABORTED/BANNED_BY_SERVER and BannedByServer', async () => {
    const { states, events, reach } = await loggedIn();
    gw.last.drop(DropReason.BANNED_BY_SERVER);
    await reach('ABORTED', 'BANNED_BY_SERVER');
    expect(states).toEqual(['ABORTED/BANNED_BY_SERVER']);
    expect(events).toEqual(['BannedByServer']);
  });

  it('ignores DROP REPLACED; DROP INTERRUPTED reconnects', async () => {
    const { states, reach } = await loggedIn();
    gw.last.drop(DropReason.REPLACED);
    await delay(100);
    expect(states).toEqual([]);
    gw.last.drop(DropReason.INTERRUPTED);
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(states).toEqual(['RECONNECTING/INTERRUPTED', 'CONNECTED/LOGIN_SUCCESS']);
  });

  it('Evt.RECONNECT (gateway draining) moves to another gateway without leaving CONNECTED', async () => {
    const other = await FakeGateway.start();
    try {
      const { client, states } = await loggedIn([gw.url, other.url]);
      gw.last.push(Evt.RECONNECT, {});
      await other.until(() => other.logins.length === 1, 2000, 'login on the other gateway');
      expect(other.logins[0]).toMatchObject({ reconnect: true, instanceId: client.instanceId });
      await delay(50); // the LOGIN answer is on its way to the client
      other.online.add('bob');
      await expect(client.queryPeersOnlineStatus(['bob'])).resolves.toEqual({ bob: true });
      const old = gw.last;
      await gw.until(() => old.closed, 2000, 'old socket closed after the drain grace');
      expect(states).toEqual([]);
    } finally {
      await logoutAll();
      await other.close();
    }
  });

  it('re-sends an unanswered request after a reconnect', async () => {
    const { client, reach } = await loggedIn();
    gw.online.add('bob');
    let calls = 0;
    gw.handlers[Op.QUERY_ONLINE] = (_c, args: { uids: string[] }) =>
      ++calls === 1 ? undefined : { code: ErrorCode.OK, data: args.uids.map((u) => gw.online.has(u)) };
    const answer = client.queryPeersOnlineStatus(['bob', 'carol']);
    await gw.until(() => calls === 1);
    gw.last.kill();
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    await expect(answer).resolves.toEqual({ bob: true, carol: false });
    expect(calls).toBe(2);
  });

  it('acks an event after its listener ran; TOKEN_WILL_EXPIRE / TOKEN_EXPIRED notices keep the session', async () => {
    const { client, states, events } = await loggedIn();
    const conn = gw.last;
    let acksSeenByListener = -1;
    client.on('TokenPrivilegeWillExpire', () => (acksSeenByListener = conn.framesOf(Frame.ACK).length));
    conn.push(Evt.TOKEN_WILL_EXPIRE, { expiresAt: Date.now() + 30_000 }, 77);
    await gw.until(() => conn.framesOf(Frame.ACK).length === 1, 1000, 'ACK');
    expect(conn.framesOf(Frame.ACK)[0]).toEqual([Frame.ACK, 77]);
    expect(acksSeenByListener).toBe(0);
    conn.push(Evt.TOKEN_EXPIRED, {});
    await delay(50);
    expect(events).toEqual(['TokenPrivilegeWillExpire', 'TokenExpired']);
    expect(states).toEqual([]);
  });

  it('unpacks BATCH frames and survives a throwing listener', async () => {
    const { client, events } = await loggedIn();
    client.on('TokenPrivilegeWillExpire', () => {
      throw new Error('app bug');
    });
    const conn = gw.last;
    conn.send([Frame.BATCH, [Frame.EVT, Evt.TOKEN_WILL_EXPIRE, {}, 5], [Frame.EVT, Evt.TOKEN_EXPIRED, {}]]);
    await gw.until(() => conn.framesOf(Frame.ACK).length === 1, 1000, 'ACK');
    await delay(20);
    expect(events).toEqual(['TokenPrivilegeWillExpire', 'TokenExpired']);
    await expect(client.queryPeersOnlineStatus(['alice'])).resolves.toEqual({ alice: true });
  });
});
