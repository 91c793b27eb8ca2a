import { ErrorCode, Evt, Op, PeerState } from '@parley/contracts';
import AgoraRTM from '../src';
import type { PeersOnlineStatusMap, RtmClient } from '../src';
import type { PeerSubscriptionOption } from '../src/enums';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('online status subscriptions', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers();
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  async function loggedIn(uid = 'alice') {
    const rec = createClient(gw.url);
    const changes: PeersOnlineStatusMap[] = [];
    rec.client.on('PeersOnlineStatusChanged', (status) => changes.push(status));
    await rec.client.login({ uid });
    return { ...rec, conn: gw.last, changes };
  }

  /** Lets the client process what the gateway pushed before (one local round trip). */
  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  const ids = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  describe('subscribePeersOnlineStatus', () => {
    it('sends {uids} and, before resolving, emits one PeersOnlineStatusChanged with the new peers’ states', async () => {
      const { client, conn, changes } = await loggedIn();
      gw.online.add('bob');
      gw.setPeerState('dave', PeerState.UNREACHABLE);
      let seenAtResolve = -1;
      await client.subscribePeersOnlineStatus(['bob', 'carol', 'dave', 'bob']).then(() => (seenAtResolve = changes.length));
      expect(seenAtResolve).toBe(1);
      expect(changes).toEqual([{ bob: 'ONLINE', carol: 'OFFLINE', dave: 'UNREACHABLE' }]);
      expect(conn.argsOf(Op.SUBSCRIBE_STATUS)).toEqual([{ uids: ['bob', 'carol', 'dave'] }]);
    });

    it('emits only the peers not subscribed before; an already subscribed peer is no error', async () => {
      const { client, conn, changes } = await loggedIn();
      gw.online.add('erin');
      await client.subscribePeersOnlineStatus(['bob']);
      await client.subscribePeersOnlineStatus(['bob', 'erin']);
      await expect(client.subscribePeersOnlineStatus(['erin', 'bob'])).resolves.toBeUndefined();
      expect(changes).toEqual([{ bob: 'OFFLINE' }, { erin: 'ONLINE' }]);
      expect(conn.argsOf(Op.SUBSCRIBE_STATUS)).toHaveLength(3);
    });

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['513 ids', ids(513)],
      ['an invalid id', ['bob', 'null']],
      ['not a list', 'bob'],
    ])('rejects %s with RtmInvalidArgumentError 2, sending nothing', async (_what, peers) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.subscribePeersOnlineStatus(peers as string[]), client.unsubscribePeersOnlineStatus(peers as string[])]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 2]);
      }
      expect(conn.requests(Op.SUBSCRIBE_STATUS)).toHaveLength(0);
      expect(conn.requests(Op.UNSUBSCRIBE_STATUS)).toHaveLength(0);
    });

    it('accepts 512 peers in one call', async () => {
      const { client, changes } = await loggedIn();
      await client.subscribePeersOnlineStatus(ids(512));
      expect(Object.keys(changes[0])).toHaveLength(512);
    });

    it('rejects with RtmLimitExceededError 6 (no request) past 512 peers, counting subscribes not answered yet', async () => {
      const { client, conn } = await loggedIn();
      await client.subscribePeersOnlineStatus(ids(510));
      const subscribe = gw.handlers[Op.SUBSCRIBE_STATUS]!;
      let held = 0;
      gw.handlers[Op.SUBSCRIBE_STATUS] = () => (held++, undefined);
      const pending = client.subscribePeersOnlineStatus(['p1', 'p2', 'u0']); // 512 with the pending ones
      await gw.until(() => held === 1);
      const err = await rejection(client.subscribePeersOnlineStatus(['p3']));
      expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 6]);
      const err2 = await rejection(client.subscribePeersOnlineStatus(['u1', 'p1', 'p3']));
      expect(err2.code).toBe(6);
      expect(conn.requests(Op.SUBSCRIBE_STATUS)).toHaveLength(2);
      gw.handlers[Op.SUBSCRIBE_STATUS] = subscribe;
      await client.subscribePeersOnlineStatus(['u1', 'p2']); // all counted already
      expect(conn.requests(Op.SUBSCRIBE_STATUS)).toHaveLength(3);
      const pendingErr = rejection(pending);
      await client.logout(); // the held subscribe fails; after a new login the count starts at 0
      expect((await pendingErr).code).toBe(102);
      await delay(120);
      await client.login({ uid: 'alice' });
      await client.subscribePeersOnlineStatus(ids(512, 'n'));
    });

    it('a failed subscribe does not count toward the 512', async () => {
      const { client } = await loggedIn();
      await client.subscribePeersOnlineStatus(ids(500));
      const subscribe = gw.handlers[Op.SUBSCRIBE_STATUS]!;
      gw.handlers[Op.SUBSCRIBE_STATUS] = () => ({ code: ErrorCode.TOO_OFTEN });
      await rejection(client.subscribePeersOnlineStatus(ids(12, 'x')));
      gw.handlers[Op.SUBSCRIBE_STATUS] = subscribe;
      await client.subscribePeersOnlineStatus(ids(12, 'y'));
    });

    it.each([
      ['OVERFLOW', ErrorCode.OVERFLOW, 'RtmLimitExceededError', 6],
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 5],
      ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
      ['INVALID_USER_ID', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 2],
      ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ])('maps server %s (wire %i) to %s %i and emits nothing', async (_name, code, cls, agoraCode) => {
      const { client, changes } = await loggedIn();
      gw.handlers[Op.SUBSCRIBE_STATUS] = () => ({ code, data: { message: 'nope' } });
      gw.handlers[Op.UNSUBSCRIBE_STATUS] = () => ({ code, data: { message: 'nope' } });
      for (const call of [client.subscribePeersOnlineStatus(['bob']), client.unsubscribePeersOnlineStatus(['bob'])]) {
        const err = await rejection(call);
        expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
      }
      expect(changes).toEqual([]);
    });

    it('rejects a malformed answer with RtmUnknownError 1', async () => {
      const { client, changes } = await loggedIn();
      gw.handlers[Op.SUBSCRIBE_STATUS] = () => ({ code: ErrorCode.OK, data: [0, 7] });
      const err = await rejection(client.subscribePeersOnlineStatus(['bob', 'carol']));
      expect([err.name, err.code]).toEqual(['RtmUnknownError', 1]);
      expect(changes).toEqual([]);
    });

    it('subscribe, unsubscribe and query reject with RtmInvalidStatusError 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      for (const call of [
        client.subscribePeersOnlineStatus(['bob']),
        client.unsubscribePeersOnlineStatus(['bob']),
        client.queryPeersBySubscriptionOption(AgoraRTM.PeerSubscriptionOption.ONLINE_STATUS),
      ]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      }
    });
  });

  describe('PEER_STATUS', () => {
    it('emits one PeersOnlineStatusChanged per event with the changed, subscribed peers only', async () => {
      const { client, conn, changes } = await loggedIn();
      await client.subscribePeersOnlineStatus(['bob', 'carol']);
      changes.length = 0;
      conn.push(Evt.PEER_STATUS, { bob: PeerState.UNREACHABLE });
      conn.push(Evt.PEER_STATUS, { bob: PeerState.UNREACHABLE }); // no change
      conn.push(Evt.PEER_STATUS, { zed: PeerState.ONLINE }); // not subscribed
      conn.push(Evt.PEER_STATUS, { bob: PeerState.OFFLINE, carol: PeerState.ONLINE, zed: PeerState.ONLINE, dan: 9 });
      conn.push(Evt.PEER_STATUS, { carol: 42 }); // unknown state
      conn.push(Evt.PEER_STATUS, null);
      await settle(client);
      expect(changes).toEqual([{ bob: 'UNREACHABLE' }, { bob: 'OFFLINE', carol: 'ONLINE' }]);
    });

    it('reaches the subscriber through the fake gateway', async () => {
      const { client, changes } = await loggedIn();
      await client.subscribePeersOnlineStatus(['bob']);
      gw.setPeerState('bob', PeerState.ONLINE);
      await settle(client);
      expect(changes).toEqual([{ bob: 'OFFLINE' }, { bob: 'ONLINE' }]);
    });

    it('ignores a peer once unsubscribed (UNSUBSCRIBE_STATUS {uids})', async () => {
      const { client, conn, changes } = await loggedIn();
      await client.subscribePeersOnlineStatus(['bob', 'carol']);
      await expect(client.unsubscribePeersOnlineStatus(['bob', 'nobody'])).resolves.toBeUndefined();
      expect(conn.argsOf(Op.UNSUBSCRIBE_STATUS)).toEqual([{ uids: ['bob', 'nobody'] }]);
      conn.push(Evt.PEER_STATUS, { bob: PeerState.ONLINE, carol: PeerState.ONLINE });
      await settle(client);
      expect(changes.at(-1)).toEqual({ carol: 'ONLINE' });
      await client.subscribePeersOnlineStatus(['bob']); // new again: its state is emitted
      expect(changes.at(-1)).toEqual({ bob: 'OFFLINE' });
    });
  });

  describe('queryPeersBySubscriptionOption', () => {
    it('sends QUERY_SUBSCRIBED {option} and resolves the server’s list', async () => {
      const { client, conn } = await loggedIn();
      await client.subscribePeersOnlineStatus(['bob', 'carol']);
      await client.unsubscribePeersOnlineStatus(['bob']);
      await expect(client.queryPeersBySubscriptionOption(AgoraRTM.PeerSubscriptionOption.ONLINE_STATUS)).resolves.toEqual(['carol']);
      expect(conn.argsOf(Op.QUERY_SUBSCRIBED)).toEqual([{ option: 'ONLINE_STATUS' }]);
    });

    it.each(['ONLINE', '', undefined, 1])('rejects the option %p with RtmInvalidArgumentError 1, sending nothing', async (option) => {
      const { client, conn } = await loggedIn();
      const err = await rejection(client.queryPeersBySubscriptionOption(option as PeerSubscriptionOption));
      expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 1]);
      expect(conn.requests(Op.QUERY_SUBSCRIBED)).toHaveLength(0);
    });

    it('maps server TOO_OFTEN to RtmInvokeTooOftenError 3', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.QUERY_SUBSCRIBED] = () => ({ code: ErrorCode.TOO_OFTEN });
      const err = await rejection(client.queryPeersBySubscriptionOption(AgoraRTM.PeerSubscriptionOption.ONLINE_STATUS));
      expect([err.name, err.code]).toEqual(['RtmInvokeTooOftenError', 3]);
    });
  });

  describe('reconnect and logout', () => {
    async function reconnect(rec: { reach(state: string, reason?: string): Promise<void> }) {
      const before = gw.connections.length;
      gw.last.kill();
      await rec.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.connections.length > before);
      return gw.last;
    }

    it('subscribes again to every peer and emits one event with only the peers that changed meanwhile', async () => {
      const rec = await loggedIn();
      const { client, changes } = rec;
      gw.online.add('bob');
      await client.subscribePeersOnlineStatus(['bob', 'carol', 'dave']);
      await client.unsubscribePeersOnlineStatus(['dave']);
      changes.length = 0;
      gw.setPeerState('bob', PeerState.OFFLINE, true);
      gw.setPeerState('carol', PeerState.UNREACHABLE, true);
      const conn = await reconnect(rec);
      await gw.until(() => conn.requests(Op.SUBSCRIBE_STATUS).length === 1, 2000, 'resubscribe');
      await settle(client);
      expect(conn.argsOf(Op.SUBSCRIBE_STATUS)).toEqual([{ uids: ['bob', 'carol'] }]);
      expect(changes).toEqual([{ bob: 'OFFLINE', carol: 'UNREACHABLE' }]);
      // Subscribed again on the new connection: changes flow.
      gw.setPeerState('bob', PeerState.ONLINE);
      await settle(client);
      expect(changes.at(-1)).toEqual({ bob: 'ONLINE' });
    });

    it('emits nothing after a reconnect when nothing changed', async () => {
      const rec = await loggedIn();
      await rec.client.subscribePeersOnlineStatus(['bob']);
      rec.changes.length = 0;
      const conn = await reconnect(rec);
      await gw.until(() => conn.requests(Op.SUBSCRIBE_STATUS).length === 1, 2000, 'resubscribe');
      await settle(rec.client);
      expect(rec.changes).toEqual([]);
    });

    it('retries the resubscribe after a TOO_OFTEN answer', async () => {
      const rec = await loggedIn();
      await rec.client.subscribePeersOnlineStatus(['bob']);
      rec.changes.length = 0;
      const subscribe = gw.handlers[Op.SUBSCRIBE_STATUS]!;
      let refused = 0;
      gw.handlers[Op.SUBSCRIBE_STATUS] = (c, args, id) => (refused++ < 2 ? { code: ErrorCode.TOO_OFTEN } : subscribe(c, args, id));
      gw.setPeerState('bob', PeerState.ONLINE, true);
      const conn = await reconnect(rec);
      await gw.until(() => conn.requests(Op.SUBSCRIBE_STATUS).length === 3, 3000, 'third resubscribe');
      await settle(rec.client);
      await delay(300);
      expect(conn.requests(Op.SUBSCRIBE_STATUS)).toHaveLength(3);
      expect(rec.changes).toEqual([{ bob: 'ONLINE' }]);
    });

    it('ends the subscriptions at logout: no resubscribe, no events, a new subscribe emits again', async () => {
      const rec = await loggedIn();
      const { client, changes } = rec;
      await client.subscribePeersOnlineStatus(['bob']);
      await client.logout();
      await delay(120);
      await client.login({ uid: 'alice' });
      gw.last.push(Evt.PEER_STATUS, { bob: PeerState.ONLINE });
      await settle(client);
      const conn = await reconnect(rec);
      await settle(client);
      expect(conn.requests(Op.SUBSCRIBE_STATUS)).toHaveLength(0);
      expect(changes).toEqual([{ bob: 'OFFLINE' }]);
      await client.subscribePeersOnlineStatus(['bob']);
      expect(changes).toEqual([{ bob: 'OFFLINE' }, { bob: 'OFFLINE' }]);
    });
  });
});
