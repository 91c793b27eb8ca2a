import { ErrorCode, Evt, Frame, Op, type MetadataData } from '@parley/contracts';
import type { RtmClient, RtmMetadata } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

type Item = { key: string; value?: string; revision?: number };

describe('channel metadata', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers();
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  async function member(uid: string, ch = 'room') {
    const rec = createClient(gw.url);
    await rec.client.login({ uid });
    const channel = rec.client.createChannel(ch);
    const onChannel: RtmMetadata[] = [];
    const onClient: RtmMetadata[] = [];
    channel.on('ChannelMetaDataUpdated', (md) => onChannel.push(md));
    rec.client.on('ChannelMetaDataUpdated', (md) => onClient.push(md));
    await channel.join();
    return { ...rec, channel, conn: gw.last, onChannel, onClient };
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

  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  const values = (md: RtmMetadata) => Object.fromEntries(md.items.map((i) => [i.getKey(), i.getValue()]));
  const md = (majorRevision: number, value: string): MetadataData => ({
    majorRevision,
    items: [{ key: 'k', value, revision: majorRevision, updateTs: 0, authorUserId: '' }],
  });

  it('the six methods send {ch, items?, options} on a joined channel and resolve', async () => {
    const { client, channel, conn } = await member('alice');
    await expect(
      channel.setChannelMetadata(items(client, { key: 'a', value: '1' }, { key: 'b', value: '2' }), { enableRecordUserId: true }),
    ).resolves.toBeUndefined();
    await expect(channel.addChannelMetadata(items(client, { key: 'c', value: '3', revision: 0 }))).resolves.toBeUndefined();
    const current = await channel.getChannelMetadata();
    expect(values(current)).toEqual({ a: '1', b: '2', c: '3' });
    expect(current.items[0]!.getAuthorUserId()).toBe('alice');
    await channel.updateChannelMetadata(items(client, { key: 'a', value: 'one' }), { majorRevision: current.majorRevision, enableRecordTs: true });
    await channel.deleteChannelMetadata(items(client, { key: 'b' }));
    await channel.clearChannelMetadata({ majorRevision: -1 });
    expect(conn.argsOf(Op.SET_CHANNEL_METADATA)).toEqual([
      {
        ch: 'room',
        items: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
        recordUserId: true,
      },
    ]);
    expect(conn.argsOf(Op.ADD_CHANNEL_METADATA)).toEqual([{ ch: 'room', items: [{ key: 'c', value: '3', revision: 0 }] }]);
    expect(conn.argsOf(Op.UPDATE_CHANNEL_METADATA)).toEqual([
      { ch: 'room', items: [{ key: 'a', value: 'one' }], majorRevision: current.majorRevision, recordTs: true },
    ]);
    expect(conn.argsOf(Op.DELETE_CHANNEL_METADATA)).toEqual([{ ch: 'room', items: [{ key: 'b' }] }]);
    expect(conn.argsOf(Op.CLEAR_CHANNEL_METADATA)).toEqual([{ ch: 'room' }]);
    expect(conn.argsOf(Op.GET_CHANNEL_METADATA)).toEqual([{ ch: 'room' }]);
    expect(await channel.getChannelMetadata()).toMatchObject({ items: [] });
  });

  it('needs a login (102) and a joined channel (NOT_IN_CHANNEL 9), without sending anything', async () => {
    const offline = createClient(gw.url).client.createChannel('room');
    expect((await rejection(offline.getChannelMetadata())).code).toBe(102);
    const rec = createClient(gw.url);
    await rec.client.login({ uid: 'alice' });
    const channel = rec.client.createChannel('room');
    for (const call of [
      channel.getChannelMetadata(),
      channel.clearChannelMetadata(),
      channel.setChannelMetadata(items(rec.client, { key: 'a', value: '1' })),
    ]) {
      const err = await rejection(call);
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 9]);
    }
    await channel.join();
    await channel.leave();
    expect((await rejection(channel.getChannelMetadata())).code).toBe(9);
    expect(gw.last.frames.filter((f) => f[0] === 2 && (f[2] as number) >= 80)).toEqual([]);
  });

  it('checks items and options as for user metadata (32 KB per call for a channel) and maps server errors', async () => {
    const { client, channel } = await member('alice');
    const dup = await rejection(channel.addChannelMetadata(items(client, { key: 'a', value: '1' }, { key: 'a', value: '1' })));
    expect([dup.name, dup.code]).toEqual(['RtmInvalidArgumentError', 5]);
    const badKey = await rejection(channel.setChannelMetadata(items(client, { key: 'a_b', value: '1' })));
    expect([badKey.name, badKey.code]).toEqual(['RtmInvalidArgumentError', 3]);
    const badOpts = await rejection(channel.clearChannelMetadata({ majorRevision: 'x' } as never));
    expect(badOpts.code).toBe(3);
    await channel.setChannelMetadata(items(client, ...['a', 'b', 'c'].map((key) => ({ key, value: 'v'.repeat(8000) })))); // 24 KB: fine for a channel
    await channel.updateChannelMetadata(items(client, { key: 'a', value: 'x' }));
    const cases: [Promise<void>, string, number][] = [
      [channel.addChannelMetadata(items(client, { key: 'a', value: '2' })), 'RtmInvalidArgumentError', 5],
      [channel.updateChannelMetadata(items(client, { key: 'zz', value: '2' })), 'RtmInvalidArgumentError', 3],
      [channel.updateChannelMetadata(items(client, { key: 'a', value: '2', revision: 3 })), 'RtmInvalidStatusError', 8],
      [channel.clearChannelMetadata({ majorRevision: 3 }), 'RtmInvalidStatusError', 8],
    ];
    for (const [call, name, code] of cases) {
      const err = await rejection(call);
      expect([err.name, err.code]).toEqual([name, code]);
    }
    gw.handlers[Op.SET_CHANNEL_METADATA] = () => ({ code: ErrorCode.NOT_IN_CHANNEL, data: { message: 'not in channel' } });
    expect((await rejection(channel.setChannelMetadata([]))).code).toBe(9);
    gw.handlers[Op.GET_CHANNEL_METADATA] = () => ({ code: ErrorCode.TOO_OFTEN, data: { message: 'slow down' } });
    const often = await rejection(channel.getChannelMetadata());
    expect([often.name, often.code]).toEqual(['RtmInvokeTooOftenError', 6]);
  });

  it('members get ChannelMetaDataUpdated on the channel and the client, in revision order; stale ones and other channels are dropped', async () => {
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.channel.setChannelMetadata(items(alice.client, { key: 'k', value: '1' }));
    await alice.channel.updateChannelMetadata(items(alice.client, { key: 'k', value: '2' }));
    await settle(bob.client);
    const last = bob.onChannel.at(-1)!.majorRevision;
    gw.metadata.pushChannel('room', md(last, 'repeated'));
    gw.metadata.pushChannel('room', md(last - 1, 'older'));
    bob.conn.push(Evt.CHANNEL_METADATA, { ch: 'elsewhere', md: md(last + 10, 'not joined') });
    bob.conn.push(Evt.CHANNEL_METADATA, { ch: 'room' }); // malformed
    await settle(bob.client);
    for (const rec of [alice, bob]) {
      expect(rec.onChannel.map(values)).toEqual([{ k: '1' }, { k: '2' }]);
      expect(rec.onClient.map(values)).toEqual([{ k: '1' }, { k: '2' }]);
    }
    // Left: nothing more, and a rejoin starts over.
    await bob.channel.leave();
    await alice.channel.clearChannelMetadata();
    await settle(bob.client);
    expect(bob.onChannel).toHaveLength(2);
  });

  it('after a reconnect: requests wait for the rejoin, and a set changed meanwhile is emitted once', async () => {
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.channel.setChannelMetadata(items(alice.client, { key: 'k', value: '1' }));
    await settle(bob.client);
    expect(bob.onChannel.map(values)).toEqual([{ k: '1' }]);
    // Bob's rejoin is held until the test answers it.
    const join = gw.handlers[Op.JOIN]!;
    let heldJoin: (() => void) | undefined;
    gw.handlers[Op.JOIN] = (c, args, id) => {
      if (c.login?.uid !== 'bob') return join(c, args, id);
      heldJoin = () => {
        const answer = join(c, args, id)!;
        c.send([Frame.RES, id, answer.code, answer.data ?? null]);
      };
      return undefined;
    };
    const before = gw.connections.length;
    bob.conn.kill();
    await alice.channel.updateChannelMetadata(items(alice.client, { key: 'k', value: '2' })); // bob is away
    await bob.reach('CONNECTED', 'LOGIN_SUCCESS');
    await gw.until(() => gw.connections.length > before && heldJoin !== undefined, 2000, 'the rejoin');
    const conn = gw.last;
    const pending = bob.channel.getChannelMetadata();
    await delay(50);
    expect(conn.requests(Op.GET_CHANNEL_METADATA)).toHaveLength(0); // waits for the rejoin
    heldJoin!();
    expect(values(await pending)).toEqual({ k: '2' });
    await gw.until(() => conn.requests(Op.GET_CHANNEL_METADATA).length === 2, 2000, 'the catch-up read');
    await settle(bob.client);
    await delay(20);
    expect(bob.onChannel.map(values)).toEqual([{ k: '1' }, { k: '2' }]); // once, not twice
    expect(bob.onClient.map(values)).toEqual([{ k: '1' }, { k: '2' }]);
  });
});
