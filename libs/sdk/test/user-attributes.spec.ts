import { ErrorCode, Frame, Op } from '@parley/contracts';
import type { RtmClient } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('user attributes', () => {
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
    await rec.client.login({ uid });
    rec.states.length = 0;
    return { ...rec, conn: gw.last };
  }

  /** Every attribute write the client sent on `conn`, as [op, args], in order. */
  function writes(conn = gw.last): [number, unknown][] {
    const ops = new Set<number>([Op.SET_USER_ATTRS, Op.ADD_USER_ATTRS, Op.DELETE_USER_ATTRS, Op.CLEAR_USER_ATTRS]);
    return conn.frames.filter((f) => f[0] === Frame.REQ && ops.has(f[2] as number)).map((f) => [f[2] as number, f[3]]);
  }

  const bytes = (n: number, ch = 'v'): string => ch.repeat(n);

  describe('requests', () => {
    it('set / addOrUpdate / deleteByKeys / clear send their op and resolve undefined', async () => {
      const { client, conn } = await loggedIn();
      await expect(client.setLocalUserAttributes({ mood: 'happy', city: 'Oslo' })).resolves.toBeUndefined();
      await expect(client.addOrUpdateLocalUserAttributes({ mood: 'sleepy', lang: 'no' })).resolves.toBeUndefined();
      await expect(client.deleteLocalUserAttributesByKeys(['city'])).resolves.toBeUndefined();
      expect(gw.userAttrs.get('alice')).toEqual({ mood: 'sleepy', lang: 'no' });
      await expect(client.clearLocalUserAttributes()).resolves.toBeUndefined();
      expect(writes(conn)).toEqual([
        [Op.SET_USER_ATTRS, { attrs: { mood: 'happy', city: 'Oslo' } }],
        [Op.ADD_USER_ATTRS, { attrs: { mood: 'sleepy', lang: 'no' } }],
        [Op.DELETE_USER_ATTRS, { keys: ['city'] }],
        [Op.CLEAR_USER_ATTRS, {}],
      ]);
      expect(gw.userAttrs.get('alice')).toEqual({});
    });

    it('getUserAttributes / getUserAttributesByKeys read any user and resolve an AttributesMap', async () => {
      const bob = await loggedIn('bob');
      await bob.client.setLocalUserAttributes({ mood: 'happy', city: 'Oslo', lang: 'no' });
      const { client, conn } = await loggedIn();
      await expect(client.getUserAttributes('bob')).resolves.toEqual({ mood: 'happy', city: 'Oslo', lang: 'no' });
      await expect(client.getUserAttributesByKeys('bob', ['city', 'none'])).resolves.toEqual({ city: 'Oslo' });
      await expect(client.getUserAttributes('nobody')).resolves.toEqual({});
      expect(conn.argsOf(Op.GET_USER_ATTRS)).toEqual([{ uid: 'bob' }, { uid: 'bob', keys: ['city', 'none'] }, { uid: 'nobody' }]);
    });

    it('leaves out non-string values of a server answer', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.GET_USER_ATTRS] = () => ({ code: ErrorCode.OK, data: { a: 'x', b: 5, c: null } });
      await expect(client.getUserAttributes('bob')).resolves.toEqual({ a: 'x' });
    });

    it('accepts agora limits exactly: 32-byte keys, 8192-byte values, 32 keys, 16 KB in all', async () => {
      const { client, conn } = await loggedIn();
      await client.setLocalUserAttributes({ ['k'.repeat(32)]: bytes(8192) });
      await client.setLocalUserAttributes({ ['é'.repeat(16)]: bytes(100) }); // 32 bytes
      await client.setLocalUserAttributes(Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v'])));
      // 2 × (1-byte key + 8191-byte value) = 16384 bytes
      await client.addOrUpdateLocalUserAttributes({ a: bytes(8191), b: bytes(8191) });
      await client.deleteLocalUserAttributesByKeys(Array.from({ length: 32 }, (_, i) => `k${i}`));
      await client.getUserAttributesByKeys(
        'bob',
        Array.from({ length: 32 }, (_, i) => `${i}`.padStart(32, 'x')),
      );
      expect(writes(conn)).toHaveLength(5);
    });
  });

  describe('client-side checks', () => {
    const invalidAttributes: [string, unknown][] = [
      ['null', null],
      ['undefined', undefined],
      ['an array', [['a', 'b']]],
      ['a string', 'a=b'],
      ['a Map', new Map([['a', 'b']])],
      ['a number value', { a: 1 }],
      ['an empty value', { a: '' }],
      ['an empty key', { '': 'x' }],
      ['a 33-byte key', { ['k'.repeat(33)]: 'x' }],
      ['a 34-byte multibyte key', { ['é'.repeat(17)]: 'x' }],
    ];

    it.each(invalidAttributes)('set / addOrUpdate reject %s with RtmInvalidArgumentError 3, sending nothing', async (_what, attrs) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.setLocalUserAttributes(attrs as never), client.addOrUpdateLocalUserAttributes(attrs as never)]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(writes(conn)).toHaveLength(0);
    });

    const tooBig: [string, Record<string, string>][] = [
      ['a value of 8193 bytes', { a: bytes(8193) }],
      ['a value of 8194 bytes in 2-byte characters', { a: 'é'.repeat(4097) }],
      ['33 keys', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']))],
      ['16385 bytes in all', { a: bytes(8191), b: bytes(8192) }],
    ];

    it.each(tooBig)('set / addOrUpdate reject %s with RtmLimitExceededError 4, sending nothing', async (_what, attrs) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.setLocalUserAttributes(attrs), client.addOrUpdateLocalUserAttributes(attrs)]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 4]);
      }
      expect(writes(conn)).toHaveLength(0);
    });

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['33 keys', Array.from({ length: 33 }, (_, i) => `k${i}`)],
      ['an empty key', ['a', '']],
      ['a 33-byte key', ['k'.repeat(33)]],
      ['a number', [1]],
      ['a string', 'a'],
    ])('deleteByKeys / getUserAttributesByKeys reject %s with RtmInvalidArgumentError 3', async (_what, keys) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.deleteLocalUserAttributesByKeys(keys as string[]), client.getUserAttributesByKeys('bob', keys as string[])]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(writes(conn)).toHaveLength(0);
      expect(conn.requests(Op.GET_USER_ATTRS)).toHaveLength(0);
    });

    it.each(['', 'null', 'x'.repeat(65), 'tab\there', 42])('getUserAttributes(ByKeys) reject the user id %p with RtmInvalidArgumentError 3', async (uid) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.getUserAttributes(uid as string), client.getUserAttributesByKeys(uid as string, ['a'])]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(conn.requests(Op.GET_USER_ATTRS)).toHaveLength(0);
    });

    it('every method rejects with RtmInvalidStatusError 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      const calls = [
        client.setLocalUserAttributes({ a: 'b' }),
        client.addOrUpdateLocalUserAttributes({ a: 'b' }),
        client.deleteLocalUserAttributesByKeys(['a']),
        client.clearLocalUserAttributes(),
        client.getUserAttributes('bob'),
        client.getUserAttributesByKeys('bob', ['a']),
      ];
      for (const call of calls) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      }
      expect(gw.connections).toHaveLength(0);
    });
  });

  describe('server errors', () => {
    it.each([
      ['SIZE_OVERFLOW', ErrorCode.SIZE_OVERFLOW, 'RtmLimitExceededError', 4],
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 5],
      ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
      ['INVALID_ARGUMENT', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
      ['USER_NOT_FOUND', ErrorCode.USER_NOT_FOUND, 'RtmInvalidArgumentError', 6],
      ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 2],
    ])('maps %s (wire %i) to %s %i, serverCode kept', async (_name, code, cls, agoraCode) => {
      const { client } = await loggedIn();
      gw.handlers[Op.ADD_USER_ATTRS] = () => ({ code, data: { message: 'nope' } });
      gw.handlers[Op.GET_USER_ATTRS] = () => ({ code, data: { message: 'nope' } });
      for (const call of [client.addOrUpdateLocalUserAttributes({ a: 'b' }), client.getUserAttributes('bob')]) {
        const err = await rejection(call);
        expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
        expect(err.message).toContain('nope');
      }
    });

    it('times out with RtmTimeoutError 7 after the request deadline', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.CLEAR_USER_ATTRS] = () => undefined;
      const err = await rejection(client.clearLocalUserAttributes());
      expect([err.name, err.code, err.serverCode]).toEqual(['RtmTimeoutError', 7, undefined]);
    });
  });

  describe('re-push after a reconnect', () => {
    async function reconnect(rec: { client: RtmClient; reach(state: string, reason?: string): Promise<void> }) {
      const before = gw.connections.length;
      gw.last.kill();
      await rec.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.connections.length > before);
      await delay(50); // whatever the resume sends
      return gw.last;
    }

    it('sets the local copy (after every successful write) again with one SET_USER_ATTRS', async () => {
      const rec = await loggedIn();
      const { client } = rec;
      await client.setLocalUserAttributes({ a: '1', b: '2' });
      await client.addOrUpdateLocalUserAttributes({ c: '3', a: '4' });
      await client.deleteLocalUserAttributesByKeys(['b']);
      gw.handlers[Op.ADD_USER_ATTRS] = () => ({ code: ErrorCode.SIZE_OVERFLOW });
      await rejection(client.addOrUpdateLocalUserAttributes({ refused: 'x' }));
      gw.userAttrs.delete('alice'); // the server forgot them (reconnect window over)
      const conn = await reconnect(rec);
      expect(writes(conn)).toEqual([[Op.SET_USER_ATTRS, { attrs: { a: '4', c: '3' } }]]);
      expect(gw.userAttrs.get('alice')).toEqual({ a: '4', c: '3' });
    });

    it('sends nothing when the local copy is empty', async () => {
      const rec = await loggedIn();
      await rec.client.setLocalUserAttributes({ a: '1' });
      await rec.client.clearLocalUserAttributes();
      const conn = await reconnect(rec);
      expect(writes(conn)).toEqual([]);
    });

    it('forgets the copy at logout: no re-push after logout, login and a reconnect', async () => {
      const rec = await loggedIn();
      await rec.client.setLocalUserAttributes({ a: '1' });
      await rec.client.logout();
      await delay(120); // login re-entry
      await rec.client.login({ uid: 'alice' });
      const conn = await reconnect(rec);
      expect(writes(conn)).toEqual([]);
    });

    it('a write in flight when the link died goes after the re-push, and then is part of the copy', async () => {
      const rec = await loggedIn();
      const { client } = rec;
      await client.setLocalUserAttributes({ a: '1' });
      const first = gw.last;
      const defaultAdd = gw.handlers[Op.ADD_USER_ATTRS]!;
      gw.handlers[Op.ADD_USER_ATTRS] = (c, args, id) => (c === first ? undefined : defaultAdd(c, args, id));
      const add = client.addOrUpdateLocalUserAttributes({ b: '2' });
      await gw.until(() => first.requests(Op.ADD_USER_ATTRS).length === 1);
      const conn = await reconnect(rec);
      await add;
      expect(writes(conn)).toEqual([
        [Op.SET_USER_ATTRS, { attrs: { a: '1' } }],
        [Op.ADD_USER_ATTRS, { attrs: { b: '2' } }],
      ]);
      expect(gw.userAttrs.get('alice')).toEqual({ a: '1', b: '2' });
      const next = await reconnect(rec);
      expect(writes(next)).toEqual([[Op.SET_USER_ATTRS, { attrs: { a: '1', b: '2' } }]]);
    });

    it('retries a re-push refused with TOO_OFTEN', async () => {
      const rec = await loggedIn();
      await rec.client.setLocalUserAttributes({ a: '1' });
      const defaultSet = gw.handlers[Op.SET_USER_ATTRS]!;
      let refused = 0;
      gw.handlers[Op.SET_USER_ATTRS] = (c, args, id) => (refused++ < 1 ? { code: ErrorCode.TOO_OFTEN } : defaultSet(c, args, id));
      const conn = await reconnect(rec);
      await gw.until(() => conn.requests(Op.SET_USER_ATTRS).length === 2, 2000, 'second re-push');
      expect(conn.argsOf(Op.SET_USER_ATTRS)).toEqual([{ attrs: { a: '1' } }, { attrs: { a: '1' } }]);
      await delay(300);
      expect(conn.requests(Op.SET_USER_ATTRS)).toHaveLength(2);
    });
  });
});
