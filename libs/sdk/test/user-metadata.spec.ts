import { ErrorCode, Evt, Op, type MetadataData } from '@parley/contracts';
import type { RtmClient, RtmMetadata } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

type Item = { key: string; value?: string | null; revision?: number };

describe('user metadata', () => {
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
    const updates: [string, RtmMetadata][] = [];
    rec.client.on('UserMetaDataUpdated', (who, data) => updates.push([who, data]));
    await rec.client.login({ uid });
    return { ...rec, conn: gw.last, updates };
  }

  function items(client: RtmClient, ...list: Item[]) {
    return list.map(({ key, value, revision }) => {
      const item = client.createMetadataItem();
      item.setKey(key);
      if (value !== undefined) item.setValue(value);
      if (revision !== undefined) item.setRevision(revision);
      return item;
    });
  }

  /** Lets the client process what the gateway pushed before (one local round trip). */
  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  const plain = (md: RtmMetadata) => ({
    majorRevision: md.majorRevision,
    items: md.items.map((i) => ({
      key: i.getKey(),
      value: i.getValue(),
      revision: i.getRevision(),
      updateTs: i.getUpdateTs(),
      authorUserId: i.getAuthorUserId(),
    })),
  });
  const values = (md: RtmMetadata) => Object.fromEntries(md.items.map((i) => [i.getKey(), i.getValue()]));

  describe('writes', () => {
    it('each method sends its op with {items, options}; revisions only when set, values not for delete', async () => {
      const { client, conn } = await loggedIn();
      await expect(
        client.setLocalUserMetadata(items(client, { key: 'a', value: '1' }, { key: 'b', value: '2' }), { enableRecordTs: true }),
      ).resolves.toBeUndefined();
      await expect(client.addLocalUserMetadata(items(client, { key: 'c', value: '3' }))).resolves.toBeUndefined();
      const md = await client.getUserMetadata('alice');
      const rev = md.items.find((i) => i.getKey() === 'a')!.getRevision();
      await client.updateLocalUserMetadata(items(client, { key: 'a', value: 'one', revision: rev }), {
        majorRevision: md.majorRevision,
        enableRecordUserId: true,
      });
      await client.deleteLocalUserMetadata(items(client, { key: 'b', value: 'ignored' }), { majorRevision: -1 });
      await client.clearLocalUserMetadata({ majorRevision: -1, enableRecordTs: false });
      await client.setLocalUserMetadata(items(client, { key: 'n', value: null }));
      expect(conn.argsOf(Op.SET_USER_METADATA)).toEqual([
        {
          items: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
          recordTs: true,
        },
        { items: [{ key: 'n' }] },
      ]);
      expect(conn.argsOf(Op.ADD_USER_METADATA)).toEqual([{ items: [{ key: 'c', value: '3' }] }]);
      expect(conn.argsOf(Op.UPDATE_USER_METADATA)).toEqual([
        { items: [{ key: 'a', value: 'one', revision: rev }], majorRevision: md.majorRevision, recordUserId: true },
      ]);
      expect(conn.argsOf(Op.DELETE_USER_METADATA)).toEqual([{ items: [{ key: 'b' }] }]);
      expect(conn.argsOf(Op.CLEAR_USER_METADATA)).toEqual([{}]);
      expect(values(await client.getUserMetadata('alice'))).toEqual({ n: '' });
    });

    it('getUserMetadata resolves RtmMetadata of RtmMetadataItem objects (any user; malformed items left out)', async () => {
      const { client, conn } = await loggedIn();
      gw.handlers[Op.GET_USER_METADATA] = () => ({
        code: ErrorCode.OK,
        data: {
          majorRevision: 7,
          items: [
            { key: 'mode', value: 'dark', revision: 7, updateTs: 1_700_000_000_000, authorUserId: 'bob' },
            { key: 'bad' },
            { key: 'partial', value: 'p' },
          ],
        },
      });
      const md = await client.getUserMetadata('bob');
      expect(plain(md)).toEqual({
        majorRevision: 7,
        items: [
          { key: 'mode', value: 'dark', revision: 7, updateTs: 1_700_000_000_000, authorUserId: 'bob' },
          { key: 'partial', value: 'p', revision: 0, updateTs: 0, authorUserId: '' },
        ],
      });
      expect(typeof md.items[0]!.setValue).toBe('function');
      expect(conn.argsOf(Op.GET_USER_METADATA)).toEqual([{ uid: 'bob' }]);
      gw.handlers[Op.GET_USER_METADATA] = () => ({ code: ErrorCode.OK, data: 'nonsense' });
      await expect(client.getUserMetadata('bob')).resolves.toEqual({ items: [], majorRevision: 0 });
    });

    it('checks calls on the client: keys, duplicates, values, counts, sizes, revisions, options (nothing sent)', async () => {
      const { client, conn } = await loggedIn();
      const many = (n: number, size = 1) => items(client, ...Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(size) })));
      const cases: [Promise<unknown>, string, number][] = [
        [client.setLocalUserMetadata(items(client, { key: 'has_underscore', value: 'x' })), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata(items(client, { key: '', value: 'x' })), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata(items(client, { key: 'null', value: 'x' })), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata(items(client, { key: 'k'.repeat(33), value: 'x' })), 'RtmInvalidArgumentError', 3],
        [client.addLocalUserMetadata(items(client, { key: 'a', value: '1' }, { key: 'a', value: '2' })), 'RtmInvalidArgumentError', 5],
        [client.deleteLocalUserMetadata(items(client, { key: 'a' }, { key: 'a' })), 'RtmInvalidArgumentError', 5],
        [client.addLocalUserMetadata(items(client, { key: 'a', value: 'x'.repeat(8193) })), 'RtmLimitExceededError', 4],
        [client.setLocalUserMetadata(many(33)), 'RtmLimitExceededError', 4],
        [client.setLocalUserMetadata(many(3, 6000)), 'RtmLimitExceededError', 4],
        [client.updateLocalUserMetadata(items(client, { key: 'a', value: '1', revision: -2 })), 'RtmInvalidArgumentError', 3],
        [client.updateLocalUserMetadata(items(client, { key: 'a', value: '1', revision: 1.5 })), 'RtmInvalidArgumentError', 3],
        [client.addLocalUserMetadata([]), 'RtmInvalidArgumentError', 3],
        [client.deleteLocalUserMetadata([]), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata('nope' as never), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata([{ key: 'a', value: '1' }] as never), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata([], { majorRevision: -2 }), 'RtmInvalidArgumentError', 3],
        [client.setLocalUserMetadata([], { majorRevison: 3 } as never), 'RtmInvalidArgumentError', 3],
        [client.clearLocalUserMetadata({ enableRecordTs: 'yes' } as never), 'RtmInvalidArgumentError', 3],
        [client.clearLocalUserMetadata('x' as never), 'RtmInvalidArgumentError', 3],
        [client.getUserMetadata('null'), 'RtmInvalidArgumentError', 2],
      ];
      for (const [call, name, code] of cases) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual([name, code]);
      }
      const item = client.createMetadataItem();
      item.setKey('a');
      item.setValue(5 as never);
      expect((await rejection(client.setLocalUserMetadata([item]))).code).toBe(3);
      expect(conn.frames.filter((f) => f[0] === 2 && (f[2] as number) >= 70)).toEqual([]);
      await client.setLocalUserMetadata(many(2, 8000)); // 16 KB in all: exactly allowed for a user
    });

    it('maps the server’s answers: DUPLICATE_KEY 5, KEY_NOT_FOUND 3, OUTDATED_REVISION 8, SIZE_OVERFLOW 4, TOO_OFTEN 6, UNAVAILABLE 1', async () => {
      const { client } = await loggedIn();
      await client.setLocalUserMetadata(items(client, { key: 'a', value: '1' }));
      const cases: [Promise<void>, string, number, number][] = [
        [client.addLocalUserMetadata(items(client, { key: 'a', value: '2' })), 'RtmInvalidArgumentError', 5, ErrorCode.DUPLICATE_KEY],
        [client.updateLocalUserMetadata(items(client, { key: 'missing', value: '2' })), 'RtmInvalidArgumentError', 3, ErrorCode.KEY_NOT_FOUND],
        [client.updateLocalUserMetadata(items(client, { key: 'a', value: '2', revision: 1 })), 'RtmInvalidStatusError', 8, ErrorCode.OUTDATED_REVISION],
        [client.clearLocalUserMetadata({ majorRevision: 1 }), 'RtmInvalidStatusError', 8, ErrorCode.OUTDATED_REVISION],
      ];
      for (const [call, name, code, serverCode] of cases) {
        const err = await rejection(call);
        expect([err.name, err.code, err.serverCode]).toEqual([name, code, serverCode]);
      }
      for (const [wire, name, code] of [
        [ErrorCode.SIZE_OVERFLOW, 'RtmLimitExceededError', 4],
        [ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 6],
        [ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
      ] as const) {
        gw.handlers[Op.SET_USER_METADATA] = () => ({ code: wire, data: { message: 'no' } });
        const err = await rejection(client.setLocalUserMetadata([]));
        expect([err.name, err.code]).toEqual([name, code]);
      }
      expect(values(await client.getUserMetadata('alice'))).toEqual({ a: '1' });
    });

    it('before login rejects 102; a write whose connection dies is not sent again (TIMEOUT 7)', async () => {
      const rec = createClient(gw.url);
      const err = await rejection(rec.client.setLocalUserMetadata([]));
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      await rec.client.login({ uid: 'alice' });
      const first = gw.last;
      gw.handlers[Op.SET_USER_METADATA] = () => undefined; // never answered
      const write = rejection(rec.client.setLocalUserMetadata([]));
      await gw.until(() => first.requests(Op.SET_USER_METADATA).length === 1);
      first.kill();
      const e = await write;
      expect([e.name, e.code]).toEqual(['RtmTimeoutError', 7]);
      await rec.reach('CONNECTED', 'LOGIN_SUCCESS');
      await delay(50);
      expect(gw.last.requests(Op.SET_USER_METADATA)).toHaveLength(0);
    });
  });

  describe('subscriptions', () => {
    const md = (majorRevision: number, value: string): MetadataData => ({
      majorRevision,
      items: [{ key: 'k', value, revision: majorRevision, updateTs: 0, authorUserId: '' }],
    });

    it('emit the current set on subscribe, then every newer set; stale and repeated ones are dropped', async () => {
      const bob = await loggedIn('bob');
      await bob.client.setLocalUserMetadata(items(bob.client, { key: 'k', value: 'v1' }));
      const { client, conn, updates } = await loggedIn();
      await client.subscribeUserMetadata('bob');
      expect(conn.argsOf(Op.SUBSCRIBE_USER_METADATA)).toEqual([{ uids: ['bob'] }]);
      expect(updates.map(([who, data]) => [who, values(data)])).toEqual([['bob', { k: 'v1' }]]);
      const first = updates[0]![1].majorRevision;
      await bob.client.updateLocalUserMetadata(items(bob.client, { key: 'k', value: 'v2' }));
      await settle(client);
      gw.metadata.pushUser('bob', md(first, 'stale'));
      gw.metadata.pushUser('bob', md(first - 1, 'older'));
      gw.metadata.pushUser('carol', md(first + 50, 'not subscribed'));
      conn.push(Evt.USER_METADATA, { uid: 'bob' }); // malformed
      await settle(client);
      expect(updates.map(([who, data]) => [who, values(data)])).toEqual([
        ['bob', { k: 'v1' }],
        ['bob', { k: 'v2' }],
      ]);
      expect(updates[1]![1].majorRevision).toBeGreaterThan(first);
      // A second subscribe of the same user is fine and says nothing new.
      await client.subscribeUserMetadata('bob');
      expect(updates).toHaveLength(2);
    });

    it('unsubscribe stops the events', async () => {
      const bob = await loggedIn('bob');
      const { client, conn, updates } = await loggedIn();
      await client.subscribeUserMetadata('bob');
      await client.unsubscribeUserMetadata('bob');
      expect(conn.argsOf(Op.UNSUBSCRIBE_USER_METADATA)).toEqual([{ uids: ['bob'] }]);
      updates.length = 0;
      await bob.client.setLocalUserMetadata(items(bob.client, { key: 'k', value: 'x' }));
      gw.metadata.pushUser('bob', md(10_000, 'pushed anyway'));
      await settle(client);
      expect(updates).toEqual([]);
    });

    it('check arguments, the login, at most 100 users, and map server errors', async () => {
      const rec = createClient(gw.url);
      expect((await rejection(rec.client.subscribeUserMetadata('bob'))).code).toBe(102);
      const { client } = await loggedIn();
      for (const call of [client.subscribeUserMetadata('null'), client.unsubscribeUserMetadata(' lead'), client.subscribeUserMetadata(5 as never)]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      for (let i = 0; i < 100; i++) await client.subscribeUserMetadata(`u${i}`);
      const over = await rejection(client.subscribeUserMetadata('one-more'));
      expect([over.name, over.code]).toEqual(['RtmLimitExceededError', 5]);
      await client.subscribeUserMetadata('u7'); // already subscribed: fine
      for (const [wire, name, code] of [
        [ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 4],
        [ErrorCode.OVERFLOW, 'RtmLimitExceededError', 5],
        [ErrorCode.UNAVAILABLE, 'RtmUnavailableError', 1],
      ] as const) {
        gw.handlers[Op.SUBSCRIBE_USER_METADATA] = () => ({ code: wire, data: { message: 'no' } });
        const err = await rejection(client.subscribeUserMetadata('u1'));
        expect([err.name, err.code]).toEqual([name, code]);
      }
      gw.handlers[Op.SUBSCRIBE_USER_METADATA] = () => ({ code: ErrorCode.OK, data: [] });
      expect((await rejection(client.subscribeUserMetadata('u1'))).name).toBe('RtmUnknownError');
    });

    describe('after a reconnect', () => {
      async function reconnect(rec: { reach(state: string, reason?: string): Promise<void> }) {
        const before = gw.connections.length;
        gw.last.kill();
        await rec.reach('CONNECTED', 'LOGIN_SUCCESS');
        await gw.until(() => gw.connections.length > before);
        return gw.last;
      }

      it('subscribes again to every user in one call and emits, once, only the sets that changed meanwhile', async () => {
        const bob = await loggedIn('bob');
        const carol = await loggedIn('carol');
        await bob.client.setLocalUserMetadata(items(bob.client, { key: 'k', value: 'b1' }));
        await carol.client.setLocalUserMetadata(items(carol.client, { key: 'k', value: 'c1' }));
        const rec = await loggedIn();
        await rec.client.subscribeUserMetadata('bob');
        await rec.client.subscribeUserMetadata('carol');
        await rec.client.subscribeUserMetadata('dave');
        await rec.client.unsubscribeUserMetadata('dave');
        rec.updates.length = 0;
        // Bob writes while alice is away (the fake pushes to nobody: her socket is gone).
        const conn = gw.last;
        conn.kill();
        await bob.client.updateLocalUserMetadata(items(bob.client, { key: 'k', value: 'b2' }));
        await rec.reach('CONNECTED', 'LOGIN_SUCCESS');
        const again = gw.last;
        await gw.until(() => again.requests(Op.SUBSCRIBE_USER_METADATA).length === 1, 2000, 'resubscribe');
        await settle(rec.client);
        expect(again.argsOf(Op.SUBSCRIBE_USER_METADATA)).toEqual([{ uids: ['bob', 'carol'] }]);
        expect(rec.updates.map(([who, data]) => [who, values(data)])).toEqual([['bob', { k: 'b2' }]]);
        // Subscribed again on the new connection: changes flow, an older one is dropped.
        await carol.client.updateLocalUserMetadata(items(carol.client, { key: 'k', value: 'c2' }));
        gw.metadata.pushUser('bob', md(1, 'stale'));
        await settle(rec.client);
        expect(rec.updates.map(([who, data]) => [who, values(data)])).toEqual([
          ['bob', { k: 'b2' }],
          ['carol', { k: 'c2' }],
        ]);
      });

      it('emits nothing when nothing changed, retries a refused resubscribe, and forgets subscriptions at logout', async () => {
        const rec = await loggedIn();
        await rec.client.subscribeUserMetadata('bob');
        rec.updates.length = 0;
        const subscribe = gw.handlers[Op.SUBSCRIBE_USER_METADATA]!;
        let refused = 0;
        gw.handlers[Op.SUBSCRIBE_USER_METADATA] = (c, args, id) => (refused++ < 1 ? { code: ErrorCode.TOO_OFTEN } : subscribe(c, args, id));
        const conn = await reconnect(rec);
        await gw.until(() => conn.requests(Op.SUBSCRIBE_USER_METADATA).length === 2, 3000, 'second resubscribe');
        await settle(rec.client);
        expect(rec.updates).toEqual([]);
        await rec.client.logout();
        await delay(150); // login re-entry
        await rec.client.login({ uid: 'alice' });
        await delay(50);
        expect(gw.last.requests(Op.SUBSCRIBE_USER_METADATA)).toHaveLength(0);
      });
    });
  });
});
