import { ErrorCode, MessageKind, Op } from '@parley/contracts';
import type { RtmHistoryPage } from '../src';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

describe('message history (Parley)', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers();
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
  });

  async function user(uid: string) {
    const rec = createClient(gw.url);
    await rec.client.login({ uid });
    return { ...rec, conn: gw.last };
  }

  async function member(uid: string, ch = 'room') {
    const u = await user(uid);
    const channel = u.client.createChannel(ch);
    await channel.join();
    return { ...u, channel };
  }

  const texts = (page: RtmHistoryPage) => page.messages.map((e) => [e.senderId, (e.message as { text?: string }).text]);

  it('enableHistoricalMessaging sends hist: true with peer and channel messages (and nothing without it)', async () => {
    const alice = await member('alice');
    await member('bob');
    await alice.client.sendMessageToPeer({ text: 'p1' }, 'bob', { enableHistoricalMessaging: true, enableOfflineMessaging: true });
    await alice.client.sendMessageToPeer({ text: 'p2' }, 'bob');
    await alice.channel.sendMessage({ text: 'c1' }, { enableHistoricalMessaging: true });
    await alice.channel.sendMessage({ text: 'c2' }, { enableHistoricalMessaging: false });
    expect(alice.conn.argsOf(Op.SEND_PEER).map((a) => [a.m.text, a.hist, a.offline])).toEqual([
      ['p1', true, true],
      ['p2', undefined, undefined],
    ]);
    expect(alice.conn.argsOf(Op.SEND_CHANNEL).map((a) => [a.m.text, a.hist])).toEqual([
      ['c1', true],
      ['c2', undefined],
    ]);
  });

  it('a message to keep whose capture failed (UNAVAILABLE) goes again under the same id; other sends fail at once', async () => {
    const alice = await member('alice');
    await member('bob');
    const send = gw.handlers[Op.SEND_PEER]!;
    let refusals = 1;
    gw.handlers[Op.SEND_PEER] = (c, args, id) => (refusals-- > 0 ? { code: ErrorCode.UNAVAILABLE, data: { message: 'history down' } } : send(c, args, id));
    await expect(alice.client.sendMessageToPeer({ text: 'kept' }, 'bob', { enableHistoricalMessaging: true })).resolves.toMatchObject({
      hasPeerReceived: true,
    });
    const [first, again] = alice.conn.argsOf(Op.SEND_PEER);
    expect(again).toEqual(first);
    expect(first.hist).toBe(true);

    const publish = gw.handlers[Op.SEND_CHANNEL]!;
    refusals = 2;
    gw.handlers[Op.SEND_CHANNEL] = (c, args, id) => (refusals-- > 0 ? { code: ErrorCode.UNAVAILABLE, data: { retryAfterMs: 20 } } : publish(c, args, id));
    await alice.channel.sendMessage({ text: 'kept too' }, { enableHistoricalMessaging: true });
    expect(new Set(alice.conn.argsOf(Op.SEND_CHANNEL).map((a) => a.id)).size).toBe(1);
    expect(alice.conn.requests(Op.SEND_CHANNEL)).toHaveLength(3);

    refusals = 1;
    expect(await rejection(alice.channel.sendMessage({ text: 'plain' }))).toMatchObject({
      name: 'RtmUnknownError',
      code: 1,
      serverCode: ErrorCode.UNAVAILABLE,
    });
    // Down for longer than the send's deadline (10 s; 1 s here): the last answer is the error.
    gw.handlers[Op.SEND_PEER] = () => ({ code: ErrorCode.UNAVAILABLE, data: { message: 'history down' } });
    const started = Date.now();
    const sent = alice.conn.requests(Op.SEND_PEER).length;
    expect(await rejection(alice.client.sendMessageToPeer({ text: 'x' }, 'bob', { enableHistoricalMessaging: true }))).toMatchObject({
      name: 'RtmUnknownError',
      code: 1,
      serverCode: ErrorCode.UNAVAILABLE,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(alice.conn.requests(Op.SEND_PEER).length - sent).toBe(3); // then after 300 and 600 ms more; 1200 would pass the deadline
  });

  it('channel.getHistory: the joined channel’s stored messages, newest first, as ChannelMessage gives them, own ones included', async () => {
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.channel.sendMessage({ text: 'first' }, { enableHistoricalMessaging: true });
    await alice.channel.sendMessage({ text: 'not kept' });
    await delay(2);
    await bob.channel.sendMessage({ rawMessage: new Uint8Array([7, 8]), description: 'bytes' }, { enableHistoricalMessaging: true });
    const page = await alice.channel.getHistory();
    expect(alice.conn.argsOf(Op.GET_CHANNEL_HISTORY)).toEqual([{ ch: 'room' }]);
    expect(page.hasMore).toBe(false);
    expect(page.nextBefore).toBeUndefined();
    expect(page.messages.map((e) => e.senderId)).toEqual(['bob', 'alice']);
    const [raw, text] = page.messages;
    expect(raw!.message).toEqual({ rawMessage: new Uint8Array([7, 8]), description: 'bytes', messageType: 'RAW' });
    expect(Object.getPrototypeOf(raw!.message.rawMessage)).toBe(Uint8Array.prototype);
    expect(text!.message).toEqual({ text: 'first', messageType: 'TEXT' });
    expect(raw!.serverReceivedTs).toBeGreaterThan(text!.serverReceivedTs);
  });

  it('pages back with before = nextBefore while hasMore, and never splits one millisecond', async () => {
    const alice = await member('alice');
    for (const [i, ts] of [100, 200, 200, 300, 400].entries()) {
      gw.history.add({ ch: 'room', from: 'bob', id: `m${i}`, ts, m: { k: MessageKind.TEXT, text: `t${ts}-${i}` } });
    }
    const first = await alice.channel.getHistory({ limit: 3 });
    // 400, 300, then two at 200: the page stops before them.
    expect(first.messages.map((e) => e.serverReceivedTs)).toEqual([400, 300]);
    expect([first.hasMore, first.nextBefore]).toEqual([true, 300]);
    const second = await alice.channel.getHistory({ before: first.nextBefore, limit: 3 });
    expect(second.messages.map((e) => e.serverReceivedTs)).toEqual([200, 200, 100]);
    expect([second.hasMore, second.nextBefore]).toEqual([false, undefined]);
    expect(alice.conn.argsOf(Op.GET_CHANNEL_HISTORY)).toEqual([
      { ch: 'room', limit: 3 },
      { ch: 'room', before: 300, limit: 3 },
    ]);
  });

  it('client.getPeerHistory: the conversation with one peer, both directions, with who sent each', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await alice.client.sendMessageToPeer({ text: 'hi bob' }, 'bob', { enableHistoricalMessaging: true });
    await delay(2);
    await bob.client.sendMessageToPeer({ text: 'hi alice' }, 'alice', { enableHistoricalMessaging: true });
    await alice.client.sendMessageToPeer({ text: 'to carol' }, 'carol', { enableHistoricalMessaging: true });
    await alice.client.sendMessageToPeer({ text: 'not kept' }, 'bob');
    gw.history.add({ from: 'bob', to: 'alice', id: 'f', ts: 1, m: { k: MessageKind.FILE, media: { id: 'media-1', size: 3, name: 'a.txt' } } });
    const page = await alice.client.getPeerHistory('bob');
    expect(texts(page)).toEqual([
      ['bob', 'hi alice'],
      ['alice', 'hi bob'],
      ['bob', undefined],
    ]);
    expect(page.messages[2]!.message).toMatchObject({ messageType: 'FILE', mediaId: 'media-1', size: 3, fileName: 'a.txt', description: '' });
    expect(alice.conn.argsOf(Op.GET_PEER_HISTORY)).toEqual([{ peer: 'bob' }]);
    expect(texts(await bob.client.getPeerHistory('alice', { before: page.messages[1]!.serverReceivedTs }))).toEqual([['bob', undefined]]);
  });

  it('leaves out message kinds this SDK cannot build (logged), yet pages on from the oldest one', async () => {
    const alice = await user('alice');
    gw.handlers[Op.GET_PEER_HISTORY] = () => ({
      code: ErrorCode.OK,
      data: {
        msgs: [
          { from: 'bob', to: 'alice', id: 'a', ts: 50, m: { k: MessageKind.TEXT, text: 'ok' } },
          { from: 'bob', to: 'alice', id: 'b', ts: 40, m: { k: 99 } },
        ],
        more: true,
      },
    });
    expect(await alice.client.getPeerHistory('bob', { limit: 2 })).toEqual({
      messages: [{ message: { text: 'ok', messageType: 'TEXT' }, senderId: 'bob', serverReceivedTs: 50 }],
      hasMore: true,
      nextBefore: 40,
    });
  });

  it('checks arguments first and sends nothing: INVALID_ARGUMENT 2, then 102, then NOT_IN_CHANNEL 5', async () => {
    const rec = createClient(gw.url);
    const offline = rec.client.createChannel('room');
    expect(await rejection(offline.getHistory())).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    expect(await rejection(rec.client.getPeerHistory('bob'))).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    expect(await rejection(rec.client.getPeerHistory('bob', { limit: 0 }))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 2 });

    const alice = await member('alice');
    const bad: unknown[] = [
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { limit: '5' },
      { before: -1 },
      { before: 1.5 },
      { before: Number.NaN },
      { since: 1 },
      'x',
      [1],
    ];
    for (const options of bad) {
      expect(await rejection(alice.channel.getHistory(options as never))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 2 });
      expect(await rejection(alice.client.getPeerHistory('bob', options as never))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 2 });
    }
    for (const peer of ['', 'null', ' bob', 'x'.repeat(65), 42]) {
      expect(await rejection(alice.client.getPeerHistory(peer as never))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 2 });
    }
    const other = alice.client.createChannel('elsewhere');
    expect(await rejection(other.getHistory())).toMatchObject({ name: 'RtmInvalidStatusError', code: 5 });
    expect(alice.conn.requests(Op.GET_CHANNEL_HISTORY)).toHaveLength(0);
    expect(alice.conn.requests(Op.GET_PEER_HISTORY)).toHaveLength(0);
    await expect(alice.channel.getHistory({ before: 0, limit: 100 })).resolves.toEqual({ messages: [], hasMore: false });
  });

  it('maps server refusals to HISTORY_OPERATION errors', async () => {
    const alice = await member('alice');
    const refuse = (code: number) => () => ({ code, data: { message: 'no', retryAfterMs: 100 } });
    gw.handlers[Op.GET_PEER_HISTORY] = refuse(ErrorCode.TOO_OFTEN);
    expect(await rejection(alice.client.getPeerHistory('bob'))).toMatchObject({ name: 'RtmInvokeTooOftenError', code: 4, serverCode: ErrorCode.TOO_OFTEN });
    gw.handlers[Op.GET_PEER_HISTORY] = refuse(ErrorCode.UNAVAILABLE);
    expect(await rejection(alice.client.getPeerHistory('bob'))).toMatchObject({ name: 'RtmUnavailableError', code: 1 });
    gw.handlers[Op.GET_CHANNEL_HISTORY] = refuse(ErrorCode.NOT_IN_CHANNEL);
    expect(await rejection(alice.channel.getHistory())).toMatchObject({ name: 'RtmInvalidStatusError', code: 5 });
    gw.handlers[Op.GET_CHANNEL_HISTORY] = () => ({ code: ErrorCode.OK, data: 'garbage' });
    expect(await rejection(alice.channel.getHistory())).toMatchObject({ name: 'RtmUnknownError', code: 1 });
    gw.handlers[Op.GET_CHANNEL_HISTORY] = () => undefined; // never answers
    expect(await rejection(alice.channel.getHistory())).toMatchObject({ name: 'RtmTimeoutError', code: 3 });
  });

  it('a read whose socket died is sent again after the re-login (a channel’s after its rejoin)', async () => {
    const alice = await member('alice');
    gw.history.add({ ch: 'room', from: 'bob', id: 'x', ts: 5, m: { k: MessageKind.TEXT, text: 'kept' } });
    const read = gw.handlers[Op.GET_CHANNEL_HISTORY]!;
    let answer = false;
    gw.handlers[Op.GET_CHANNEL_HISTORY] = (c, args, id) => (answer ? read(c, args, id) : undefined); // the first socket never answers
    const before = gw.connections.length;
    const pending = alice.channel.getHistory();
    await gw.until(() => alice.conn.requests(Op.GET_CHANNEL_HISTORY).length === 1, 1000, 'the first read');
    answer = true;
    alice.conn.kill();
    await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
    await gw.until(() => gw.connections.length > before && gw.last.requests(Op.GET_CHANNEL_HISTORY).length === 1, 2000, 'the resent read');
    const frames = gw.last.frames.map((f) => f[2]);
    expect(frames.indexOf(Op.JOIN)).toBeGreaterThanOrEqual(0);
    expect(frames.indexOf(Op.JOIN)).toBeLessThan(frames.indexOf(Op.GET_CHANNEL_HISTORY)); // the rejoin went first
    expect(texts(await pending)).toEqual([['bob', 'kept']]);
  });
});
