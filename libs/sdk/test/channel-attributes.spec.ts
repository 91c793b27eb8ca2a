import { ErrorCode, Evt, Frame, Op, type ChannelAttrsEvent } from '@parley/contracts';
import type { ChannelAttributes, RtmChannel, RtmClient } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('channel attributes', () => {
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
    return { ...rec, conn: gw.last };
  }

  const ATTR_OPS = new Set<number>([Op.SET_CHANNEL_ATTRS, Op.ADD_CHANNEL_ATTRS, Op.DELETE_CHANNEL_ATTRS, Op.CLEAR_CHANNEL_ATTRS, Op.GET_CHANNEL_ATTRS]);

  /** Every channel-attribute request the client sent on `conn`, as [op, args], in order. */
  function sent(conn = gw.last): [number, unknown][] {
    return conn.frames.filter((f) => f[0] === Frame.REQ && ATTR_OPS.has(f[2] as number)).map((f) => [f[2] as number, f[3]]);
  }

  /** Lets the client process what the gateway pushed before (one local round trip). */
  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  function record(channel: RtmChannel): ChannelAttributes[] {
    const got: ChannelAttributes[] = [];
    channel.on('AttributesUpdated', (attrs) => got.push(attrs));
    return got;
  }

  const attrs = (value: string, by = 'bob'): ChannelAttrsEvent['attrs'] => ({ topic: { value, lastUpdateUserId: by, lastUpdateTs: 1_700_000_000_000 } });

  describe('requests (no join needed)', () => {
    it('the four writes send {ch, attrs|keys, notify?} and resolve undefined', async () => {
      const { client, conn } = await loggedIn();
      await expect(client.setChannelAttributes('lobby', { topic: 'x', mode: 'quiet' }, { enableNotificationToChannelMembers: true })).resolves.toBeUndefined();
      await expect(client.addOrUpdateChannelAttributes('lobby', { topic: 'y' })).resolves.toBeUndefined();
      await expect(client.addOrUpdateChannelAttributes('lobby', { lang: 'en' }, { enableNotificationToChannelMembers: false })).resolves.toBeUndefined();
      await expect(client.deleteChannelAttributesByKeys('lobby', ['mode'], { enableNotificationToChannelMembers: true })).resolves.toBeUndefined();
      expect(Object.keys(gw.channelAttrs.get('lobby') ?? {})).toEqual(['topic', 'lang']);
      await expect(client.clearChannelAttributes('lobby', {})).resolves.toBeUndefined();
      await expect(client.clearChannelAttributes('room 2')).resolves.toBeUndefined();
      expect(sent(conn)).toEqual([
        [Op.SET_CHANNEL_ATTRS, { ch: 'lobby', attrs: { topic: 'x', mode: 'quiet' }, notify: true }],
        [Op.ADD_CHANNEL_ATTRS, { ch: 'lobby', attrs: { topic: 'y' } }],
        [Op.ADD_CHANNEL_ATTRS, { ch: 'lobby', attrs: { lang: 'en' } }],
        [Op.DELETE_CHANNEL_ATTRS, { ch: 'lobby', keys: ['mode'], notify: true }],
        [Op.CLEAR_CHANNEL_ATTRS, { ch: 'lobby' }],
        [Op.CLEAR_CHANNEL_ATTRS, { ch: 'room 2' }],
      ]);
    });

    it('getChannelAttributes(ByKeys) resolve {key: {value, lastUpdateUserId, lastUpdateTs}}', async () => {
      const bob = await loggedIn('bob');
      const before = Date.now();
      await bob.client.setChannelAttributes('lobby', { topic: 'x', mode: 'quiet' });
      const { client, conn } = await loggedIn();
      const all = await client.getChannelAttributes('lobby');
      expect(all).toEqual({
        topic: { value: 'x', lastUpdateUserId: 'bob', lastUpdateTs: expect.any(Number) },
        mode: { value: 'quiet', lastUpdateUserId: 'bob', lastUpdateTs: expect.any(Number) },
      });
      expect(all['topic'].lastUpdateTs).toBeGreaterThanOrEqual(before);
      await expect(client.getChannelAttributesByKeys('lobby', ['mode'])).resolves.toEqual({ mode: all['mode'] });
      await expect(client.getChannelAttributes('empty')).resolves.toEqual({});
      expect(sent(conn)).toEqual([
        [Op.GET_CHANNEL_ATTRS, { ch: 'lobby' }],
        [Op.GET_CHANNEL_ATTRS, { ch: 'lobby', keys: ['mode'] }],
        [Op.GET_CHANNEL_ATTRS, { ch: 'empty' }],
      ]);
    });

    it('leaves out malformed entries of a server answer', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.GET_CHANNEL_ATTRS] = () => ({
        code: ErrorCode.OK,
        data: { ok: { value: 'v', lastUpdateUserId: 'bob', lastUpdateTs: 5 }, bad: 'v', worse: { value: 3 }, partial: { value: 'p' } },
      });
      await expect(client.getChannelAttributes('lobby')).resolves.toEqual({
        ok: { value: 'v', lastUpdateUserId: 'bob', lastUpdateTs: 5 },
        partial: { value: 'p', lastUpdateUserId: '', lastUpdateTs: 0 },
      });
    });

    it('accepts the channel limits: 32 keys, 8192-byte values, 32 KB in all (more than a user may)', async () => {
      const { client, conn } = await loggedIn();
      // 4 × (1-byte key + 8191-byte value) = 32768 bytes
      await client.setChannelAttributes('lobby', { a: 'v'.repeat(8191), b: 'v'.repeat(8191), c: 'v'.repeat(8191), d: 'v'.repeat(8191) });
      await client.addOrUpdateChannelAttributes('lobby', Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v'])));
      expect(sent(conn)).toHaveLength(2);
    });
  });

  describe('client-side checks', () => {
    it.each(['', 'null', 'x'.repeat(65), ' lead', 7])('every method rejects the channel id %p with RtmInvalidArgumentError 3', async (ch) => {
      const { client, conn } = await loggedIn();
      const id = ch as string;
      const calls = [
        client.setChannelAttributes(id, { a: 'b' }),
        client.addOrUpdateChannelAttributes(id, { a: 'b' }),
        client.deleteChannelAttributesByKeys(id, ['a']),
        client.clearChannelAttributes(id),
        client.getChannelAttributes(id),
        client.getChannelAttributesByKeys(id, ['a']),
      ];
      for (const call of calls) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(sent(conn)).toHaveLength(0);
    });

    it.each<[string, unknown]>([
      ['null attributes', null],
      ['an array', ['a']],
      ['a number value', { a: 1 }],
      ['an empty value', { a: '' }],
      ['a 33-byte key', { ['k'.repeat(33)]: 'x' }],
    ])('set / addOrUpdate reject %s with RtmInvalidArgumentError 3', async (_what, value) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.setChannelAttributes('lobby', value as never), client.addOrUpdateChannelAttributes('lobby', value as never)]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(sent(conn)).toHaveLength(0);
    });

    it.each<[string, Record<string, string>]>([
      ['a value of 8193 bytes', { a: 'v'.repeat(8193) }],
      ['33 keys', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']))],
      ['32769 bytes in all', { a: 'v'.repeat(8191), b: 'v'.repeat(8191), c: 'v'.repeat(8191), d: 'v'.repeat(8192) }],
    ])('set / addOrUpdate reject %s with RtmLimitExceededError 4', async (_what, value) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.setChannelAttributes('lobby', value), client.addOrUpdateChannelAttributes('lobby', value)]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 4]);
      }
      expect(sent(conn)).toHaveLength(0);
    });

    it.each<[string, unknown]>([
      ['an empty list', []],
      ['33 keys', Array.from({ length: 33 }, (_, i) => `k${i}`)],
      ['a 33-byte key', ['k'.repeat(33)]],
      ['not a list', 'a'],
    ])('deleteByKeys / getChannelAttributesByKeys reject %s with RtmInvalidArgumentError 3', async (_what, keys) => {
      const { client, conn } = await loggedIn();
      for (const call of [client.deleteChannelAttributesByKeys('lobby', keys as string[]), client.getChannelAttributesByKeys('lobby', keys as string[])]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(sent(conn)).toHaveLength(0);
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['a string', 'notify'],
      ['an array', [true]],
      ['a non-boolean flag', { enableNotificationToChannelMembers: 'yes' }],
    ])('the writes reject options that are %s with RtmInvalidArgumentError 3', async (_what, options) => {
      const { client, conn } = await loggedIn();
      const o = options as never;
      const calls = [
        client.setChannelAttributes('lobby', { a: 'b' }, o),
        client.addOrUpdateChannelAttributes('lobby', { a: 'b' }, o),
        client.deleteChannelAttributesByKeys('lobby', ['a'], o),
        client.clearChannelAttributes('lobby', o),
      ];
      for (const call of calls) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 3]);
      }
      expect(sent(conn)).toHaveLength(0);
    });

    it('every method rejects with RtmInvalidStatusError 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      const calls = [
        client.setChannelAttributes('lobby', { a: 'b' }),
        client.addOrUpdateChannelAttributes('lobby', { a: 'b' }),
        client.deleteChannelAttributesByKeys('lobby', ['a']),
        client.clearChannelAttributes('lobby'),
        client.getChannelAttributes('lobby'),
        client.getChannelAttributesByKeys('lobby', ['a']),
      ];
      for (const call of calls) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      }
    });
  });

  describe('server errors', () => {
    it.each([
      ['SIZE_OVERFLOW', ErrorCode.SIZE_OVERFLOW, 'RtmLimitExceededError', 4],
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 5],
      ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
      ['INVALID_ARGUMENT', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
    ])('maps %s (wire %i) to %s %i', async (_name, code, cls, agoraCode) => {
      const { client } = await loggedIn();
      gw.handlers[Op.SET_CHANNEL_ATTRS] = () => ({ code, data: { message: 'nope' } });
      gw.handlers[Op.GET_CHANNEL_ATTRS] = () => ({ code, data: { message: 'nope' } });
      for (const call of [client.setChannelAttributes('lobby', { a: 'b' }), client.getChannelAttributes('lobby')]) {
        const err = await rejection(call);
        expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
      }
    });
  });

  describe('AttributesUpdated', () => {
    async function joined(uid = 'alice', channelId = 'lobby') {
      const rec = await loggedIn(uid);
      const channel = rec.client.createChannel(channelId);
      const got = record(channel);
      await channel.join();
      return { ...rec, channel, got };
    }

    it('a write with enableNotificationToChannelMembers reaches every member with the whole set', async () => {
      const alice = await joined('alice');
      const bob = await joined('bob');
      await bob.client.setChannelAttributes('lobby', { topic: 'x', mode: 'quiet' }, { enableNotificationToChannelMembers: true });
      await bob.client.addOrUpdateChannelAttributes('lobby', { topic: 'y' }); // no notification
      await bob.client.deleteChannelAttributesByKeys('lobby', ['mode'], { enableNotificationToChannelMembers: true });
      await settle(alice.client);
      const stamped = (value: string) => ({ value, lastUpdateUserId: 'bob', lastUpdateTs: expect.any(Number) });
      expect(alice.got).toEqual([{ topic: stamped('x'), mode: stamped('quiet') }, { topic: stamped('y') }]);
      expect(bob.got).toHaveLength(2);
    });

    it('emits CHANNEL_ATTRS on the joined object of its channel, dropping events not newer than the last', async () => {
      const { client, conn, got } = await joined();
      const other = client.createChannel('lobby'); // same id, not joined
      const otherGot = record(other);
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v2'), v: 2 });
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v2 again'), v: 2 });
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v1'), v: 1 });
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v5'), v: 5 });
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'elsewhere', attrs: attrs('not joined'), v: 9 });
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: 'malformed', v: 6 });
      await settle(client);
      expect(got.map((a) => a['topic'].value)).toEqual(['v2', 'v5']);
      expect(got[0]).toEqual(attrs('v2'));
      expect(otherGot).toEqual([]);
    });

    it('forgets the last v when the channel is left', async () => {
      const { client, conn, channel, got } = await joined();
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v7'), v: 7 });
      await settle(client);
      await channel.leave();
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('after leave'), v: 8 });
      await settle(client);
      await channel.join();
      conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v1 after rejoin'), v: 1 });
      await settle(client);
      expect(got.map((a) => a['topic'].value)).toEqual(['v7', 'v1 after rejoin']);
    });

    it('forgets the last v at logout', async () => {
      const rec = await joined();
      rec.conn.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v7'), v: 7 });
      await settle(rec.client);
      await rec.client.logout();
      await delay(120);
      await rec.client.login({ uid: 'alice' });
      await rec.channel.join();
      gw.last.push(Evt.CHANNEL_ATTRS, { ch: 'lobby', attrs: attrs('v2'), v: 2 });
      await settle(rec.client);
      expect(rec.got.map((a) => a['topic'].value)).toEqual(['v7', 'v2']);
    });
  });
});
