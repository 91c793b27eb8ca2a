import {
  ErrorCode,
  Evt,
  Frame,
  MessageKind,
  Op,
  PeerDelivery,
  type ChannelMessageEvent,
  type JoinArgs,
  type SendChannelArgs,
  type WireMedia,
} from '@parley/contracts';
import AgoraRTM from '../src';
import type { ReceivedMessageProperties, RtmChannel, RtmClient, RtmMessage } from '../src';
import { CHANNEL_DEDUP_CAPACITY, MAX_JOINED_CHANNELS } from '../src/features/channels';
import { FakeGateway } from './fake-gateway';
import { FAST_TIMERS, createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

type Received = [RtmMessage, string, ReceivedMessageProperties];

interface Recorder {
  messages: Received[];
  /** "joined:bob", "left:bob", "count:2", in order. */
  events: string[];
}

describe('channels', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    // Counts unthrottled here, except in the test of the throttle itself.
    useFastTimers({ memberCountIntervalMs: 0, memberCountIntervalLargeMs: 0 });
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await logoutAll();
    await gw.close();
  });

  async function loggedIn(uid = 'alice', config = {}) {
    const rec = createClient(gw.url, config);
    await rec.client.login({ uid });
    rec.states.length = 0;
    return { ...rec, conn: gw.last };
  }

  function record(channel: RtmChannel): Recorder {
    const r: Recorder = { messages: [], events: [] };
    channel.on('ChannelMessage', (...args) => r.messages.push(args));
    channel.on('MemberJoined', (uid) => r.events.push(`joined:${uid}`));
    channel.on('MemberLeft', (uid) => r.events.push(`left:${uid}`));
    channel.on('MemberCountUpdated', (n) => r.events.push(`count:${n}`));
    return r;
  }

  /** Lets the client process what the gateway pushed before (one local round trip). */
  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  /** A logged-in client with a joined channel (its MemberCountUpdated already emitted). */
  async function joined(uid = 'alice', channelId = 'lobby') {
    const rec = await loggedIn(uid);
    const channel = rec.client.createChannel(channelId);
    const got = record(channel);
    await channel.join();
    await delay(5);
    got.events.length = 0;
    return { ...rec, channel, got };
  }

  const text = (id: string, extra: Partial<ChannelMessageEvent> = {}): ChannelMessageEvent => ({
    ch: 'lobby',
    from: 'bob',
    id,
    m: { k: MessageKind.TEXT, text: `text ${id}` },
    ts: 1_700_000_000_000,
    ...extra,
  });

  const texts = (r: Recorder): string[] => r.messages.map((m) => (m[0] as { text: string }).text);

  describe('createChannel', () => {
    it('works before login; validates the id with a sync RtmInvalidArgumentError 1', () => {
      const { client } = createClient(gw.url);
      const channel = client.createChannel('room 1');
      expect(channel.channelId).toBe('room 1');
      for (const id of ['', 'null', 'x'.repeat(65), ' lead', 'tab\there', 7, undefined]) {
        expect(() => client.createChannel(id as string)).toThrow(expect.objectContaining({ name: 'RtmInvalidArgumentError', code: 1 }));
      }
      expect(client.createChannel('x'.repeat(64)).channelId).toHaveLength(64);
    });

    it('works after login; two objects may share an id', async () => {
      const { client } = await loggedIn();
      const a = client.createChannel('lobby');
      const b = client.createChannel('lobby');
      expect(a).not.toBe(b);
      expect([a.channelId, b.channelId]).toEqual(['lobby', 'lobby']);
    });
  });

  describe('join', () => {
    it('sends JOIN {ch}, resolves, then (next microtask) emits MemberCountUpdated with the answer count', async () => {
      const { client, conn } = await loggedIn();
      const bob = await loggedIn('bob');
      await bob.client.createChannel('lobby').join();
      const channel = client.createChannel('lobby');
      const order: string[] = [];
      channel.on('MemberCountUpdated', (n) => order.push(`count:${n}`));
      await channel.join().then(() => order.push('resolved'));
      expect(order).toEqual(['resolved', 'count:2']);
      expect(conn.argsOf<JoinArgs>(Op.JOIN)).toEqual([{ ch: 'lobby' }]);
    });

    it('emits MemberCountUpdated also to a listener added right after `await join()`', async () => {
      const { client } = await loggedIn();
      const channel = client.createChannel('lobby');
      await channel.join();
      const counts: number[] = [];
      channel.on('MemberCountUpdated', (n) => counts.push(n));
      await delay(5);
      expect(counts).toEqual([1]);
    });

    it('does not emit a server MEMBER_COUNT equal to the count emitted last', async () => {
      const { client, conn, got } = await joined();
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 1 });
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 2 });
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 2 });
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 1 });
      await settle(client);
      expect(got.events).toEqual(['count:2', 'count:1']);
    });

    it('rejects with RtmInvalidStatusError 102 when not logged in, and while RECONNECTING', async () => {
      const { client } = createClient(gw.url);
      const err = await rejection(client.createChannel('lobby').join());
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      const alice = await loggedIn('alice');
      gw.handlers[Op.LOGIN] = () => undefined;
      alice.conn.kill();
      await alice.reach('RECONNECTING');
      const err2 = await rejection(alice.client.createChannel('lobby').join());
      expect([err2.name, err2.code]).toEqual(['RtmInvalidStatusError', 102]);
    });

    it('rejects a second join of a joined or joining channel with ALREADY_JOINED 6', async () => {
      const { client, conn } = await loggedIn();
      const channel = client.createChannel('lobby');
      const first = channel.join();
      const err = await rejection(channel.join());
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 6]);
      await first;
      expect((await rejection(channel.join())).code).toBe(6);
      expect(conn.requests(Op.JOIN)).toHaveLength(1);
    });

    it('rejects the join of another object with the same id with ALREADY_JOINED_CHANNEL_OF_SAME_ID 202, until the first left', async () => {
      const { client, conn } = await loggedIn();
      const a = client.createChannel('lobby');
      const b = client.createChannel('lobby');
      const joining = a.join();
      expect(await rejection(b.join())).toMatchObject({ name: 'RtmInvalidStatusError', code: 202 });
      await joining;
      expect((await rejection(b.join())).code).toBe(202);
      await a.leave();
      await b.join();
      expect(conn.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby' }, { ch: 'lobby' }]);
    });

    it(`allows ${MAX_JOINED_CHANNELS} channels (joined or joining); one more is RtmLimitExceededError 5 and is not sent`, async () => {
      const { client, conn } = await loggedIn();
      const channels = Array.from({ length: MAX_JOINED_CHANNELS }, (_, i) => client.createChannel(`c${i}`));
      const joins = channels.map((c) => c.join());
      const extra = client.createChannel('one-too-many');
      const err = await rejection(extra.join());
      expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 5]);
      await Promise.all(joins);
      expect((await rejection(extra.join())).code).toBe(5);
      expect(conn.requests(Op.JOIN)).toHaveLength(MAX_JOINED_CHANNELS);
      await channels[0].leave();
      await extra.join();
    });

    describe('server errors (the channel is not joined afterwards)', () => {
      it.each([
        ['JOIN_SAME_CHANNEL_TOO_OFTEN', ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN, 'RtmInvokeTooOftenError', 8],
        ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 7],
        ['EXCEED_LIMIT', ErrorCode.EXCEED_LIMIT, 'RtmLimitExceededError', 5],
        ['ALREADY_JOINED', ErrorCode.ALREADY_JOINED, 'RtmInvalidStatusError', 6],
        ['INVALID_ARGUMENT', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 3],
        ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
        ['TIMEOUT', ErrorCode.TIMEOUT, 'RtmTimeoutError', 4],
        ['UNAVAILABLE', ErrorCode.UNAVAILABLE, 'RtmUnknownError', 1],
        ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
        ['NOT_IN_CHANNEL', ErrorCode.NOT_IN_CHANNEL, 'RtmUnknownError', 1],
      ])('maps %s (wire %i) to %s %i, serverCode kept', async (_name, code, cls, agoraCode) => {
        const { client } = await loggedIn();
        const channel = client.createChannel('lobby');
        const counts: number[] = [];
        channel.on('MemberCountUpdated', (n) => counts.push(n));
        gw.handlers[Op.JOIN] = () => ({ code, data: { message: 'nope' } });
        const err = await rejection(channel.join());
        expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
        expect(err.message).toContain('nope');
        expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
        gw.handlers[Op.JOIN] = () => ({ code: ErrorCode.OK, data: { count: 1 } });
        await channel.join();
        await delay(5);
        expect(counts).toEqual([1]);
      });
    });

    it('times out with RtmTimeoutError 4 after the join deadline (requestTimeoutMs); a late success is left again', async () => {
      const { client, conn } = await loggedIn();
      gw.handlers[Op.JOIN] = () => undefined;
      const channel = client.createChannel('lobby');
      const started = Date.now();
      const err = await rejection(channel.join());
      expect([err.name, err.code, err.serverCode]).toEqual(['RtmTimeoutError', 4, undefined]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(FAST_TIMERS.requestTimeoutMs! - 20);
      // The server joined after all: the SDK leaves, so no member is left behind.
      conn.send([Frame.RES, conn.requests(Op.JOIN)[0][1], ErrorCode.OK, { count: 1 }]);
      await gw.until(() => conn.requests(Op.LEAVE).length === 1, 1000, 'LEAVE');
      expect(conn.argsOf(Op.LEAVE)).toEqual([{ ch: 'lobby' }]);
    });

    it('leave() during a join: the join rejects with ABORTED_BY_LEAVE 201, LEAVE follows the JOIN answer, nothing is emitted', async () => {
      const { client, conn } = await loggedIn();
      let answer: (() => void) | undefined;
      gw.handlers[Op.JOIN] = (c, _args, id) => {
        answer = () => c.send([Frame.RES, id, ErrorCode.OK, { count: 3 }]);
        return undefined;
      };
      const channel = client.createChannel('lobby');
      const got = record(channel);
      const join = rejection(channel.join());
      await gw.until(() => conn.requests(Op.JOIN).length === 1);
      const leave = channel.leave();
      const err = await join;
      expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 201]);
      await delay(50);
      expect(conn.requests(Op.LEAVE)).toHaveLength(0); // waits for the JOIN's answer
      answer?.();
      await leave;
      expect(conn.requests(Op.LEAVE)).toHaveLength(1);
      conn.pushChannelMessage(text('late', { ts: 5 }));
      await settle(client);
      await delay(5);
      expect([got.messages, got.events]).toEqual([[], []]);
      expect((await rejection(channel.leave())).code).toBe(3);
    });

    it('a join whose socket died before the answer is sent again after the re-login, as a rejoin (since 0)', async () => {
      useFastTimers({ requestTimeoutMs: 3000 });
      const { client, conn, reach } = await loggedIn();
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) => (c === conn ? undefined : gw.joinChannel(c, args));
      const channel = client.createChannel('lobby');
      const join = channel.join();
      await gw.until(() => conn.requests(Op.JOIN).length === 1);
      conn.kill();
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      await join;
      expect(gw.last.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby', since: 0, seen: [] }]);
      await expect(channel.sendMessage({ text: 'in' })).resolves.toBeUndefined();
    });
  });

  describe('leave', () => {
    it('sends LEAVE {ch}; from then on the channel emits nothing', async () => {
      const { client, conn, channel, got } = await joined();
      await channel.leave();
      expect(conn.argsOf(Op.LEAVE)).toEqual([{ ch: 'lobby' }]);
      conn.pushChannelMessage(text('m1'));
      conn.push(Evt.MEMBER_JOINED, { ch: 'lobby', uid: 'bob' });
      conn.push(Evt.MEMBER_LEFT, { ch: 'lobby', uid: 'bob' });
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 9 });
      await settle(client);
      expect([got.messages, got.events]).toEqual([[], []]);
    });

    it('rejects with NOT_IN_CHANNEL 3 when not joined (never, or already left)', async () => {
      const { client, channel } = await joined();
      const never = client.createChannel('other');
      expect(await rejection(never.leave())).toMatchObject({ name: 'RtmInvalidStatusError', code: 3 });
      await channel.leave();
      expect((await rejection(channel.leave())).code).toBe(3);
    });

    it('rejects with 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      expect(await rejection(client.createChannel('lobby').leave())).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    });

    it('resolves when the server says NOT_IN_CHANNEL (the member is out either way)', async () => {
      const { channel } = await joined();
      gw.handlers[Op.LEAVE] = () => ({ code: ErrorCode.NOT_IN_CHANNEL });
      await expect(channel.leave()).resolves.toBeUndefined();
    });

    it('maps other server errors (LEAVE_CHANNEL_ERR); the channel is left anyway', async () => {
      const { channel } = await joined();
      gw.handlers[Op.LEAVE] = () => ({ code: ErrorCode.UNAVAILABLE, data: { message: 'down' } });
      expect(await rejection(channel.leave())).toMatchObject({ name: 'RtmUnknownError', code: 1, serverCode: ErrorCode.UNAVAILABLE });
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
    });

    it('a join right after leave() is sent after the LEAVE was answered', async () => {
      const { conn, channel } = await joined();
      void channel.leave();
      await channel.join();
      const ops = conn.frames.filter((f) => f[0] === Frame.REQ && (f[2] === Op.JOIN || f[2] === Op.LEAVE)).map((f) => f[2]);
      expect(ops).toEqual([Op.JOIN, Op.LEAVE, Op.JOIN]);
    });
  });

  describe('sendMessage', () => {
    it('delivers to the other members (not to the sender) with serverReceivedTs', async () => {
      const alice = await joined('alice');
      const bob = await joined('bob');
      const carol = await joined('carol');
      await alice.channel.sendMessage({ text: 'hello' });
      const raw = new Uint8Array([0, 1, 255]);
      await alice.channel.sendMessage({ rawMessage: raw, description: 'bin' });
      await settle(bob.client);
      await settle(carol.client);
      for (const r of [bob.got, carol.got]) {
        expect(r.messages).toHaveLength(2);
        expect(r.messages[0][0]).toEqual({ text: 'hello', messageType: 'TEXT' });
        expect(r.messages[0][1]).toBe('alice');
        expect(r.messages[0][2]).toEqual({ serverReceivedTs: expect.any(Number) });
        const m = r.messages[1][0] as { rawMessage: Uint8Array; description: string; messageType: string };
        expect([Array.from(m.rawMessage), m.description, m.messageType]).toEqual([[0, 1, 255], 'bin', 'RAW']);
      }
      await settle(alice.client);
      expect(alice.got.messages).toHaveLength(0);
      expect(alice.conn.argsOf<SendChannelArgs>(Op.SEND_CHANNEL)[0]).toEqual({
        ch: 'lobby',
        id: `${alice.client.instanceId}-1`,
        m: { k: MessageKind.TEXT, text: 'hello' },
      });
    });

    it('accepts the agora-rtm-sdk 1.4.x options argument: enableHistoricalMessaging → hist, enableOfflineMessaging ignored', async () => {
      const { conn, channel } = await joined();
      await channel.sendMessage({ text: 'x' }, { enableOfflineMessaging: true, enableHistoricalMessaging: true });
      await channel.sendMessage({ text: 'y' }, { enableOfflineMessaging: true });
      expect(conn.argsOf(Op.SEND_CHANNEL)).toEqual([
        { ch: 'lobby', id: expect.any(String), m: { k: MessageKind.TEXT, text: 'x' }, hist: true },
        { ch: 'lobby', id: expect.any(String), m: { k: MessageKind.TEXT, text: 'y' } },
      ]);
    });

    it('rejects with 102 when not logged in, NOT_IN_CHANNEL 5 when not joined (never, joining, left)', async () => {
      const { client } = createClient(gw.url);
      expect(await rejection(client.createChannel('lobby').sendMessage({ text: 'x' }))).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
      const alice = await loggedIn();
      const channel = alice.client.createChannel('lobby');
      expect(await rejection(channel.sendMessage({ text: 'x' }))).toMatchObject({ name: 'RtmInvalidStatusError', code: 5 });
      const join = channel.join();
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
      await join;
      await channel.leave();
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
      expect(alice.conn.requests(Op.SEND_CHANNEL)).toHaveLength(0);
    });

    it.each([
      ['an empty object', {}],
      ['null', null],
      ['a non-string text', { text: 42 }],
      ['a rawMessage that is not a Uint8Array', { rawMessage: [1, 2] }],
      ['text and rawMessage', { text: 'x', rawMessage: new Uint8Array([1]) }],
      ['text with messageType RAW', { text: 'x', messageType: 'RAW' }],
      ['32769 text bytes', { text: 'a'.repeat(32769) }],
      ['32769 raw + description bytes', { rawMessage: new Uint8Array(32760), description: 'é'.repeat(4) + 'a' }],
    ])('rejects %s with RtmInvalidArgumentError INVALID_MESSAGE 4 (not sent)', async (_what, message) => {
      const { conn, channel } = await joined();
      const err = await rejection(channel.sendMessage(message as unknown as RtmMessage));
      expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 4]);
      expect(conn.requests(Op.SEND_CHANNEL)).toHaveLength(0);
    });

    it('accepts 32768 bytes', async () => {
      const { channel } = await joined();
      await expect(channel.sendMessage({ text: 'a'.repeat(32768) })).resolves.toBeUndefined();
    });

    it('shares the 180 / 3 s budget with peer messages: the next one is RtmLimitExceededError 3 (not sent)', async () => {
      const { client, conn, channel } = await joined();
      gw.handlers[Op.SEND_PEER] = () => ({ code: ErrorCode.OK, data: { d: PeerDelivery.PEER_UNREACHABLE, ts: 0 } });
      const peer = Array.from({ length: 100 }, (_, i) => client.sendMessageToPeer({ text: `p${i}` }, 'bob'));
      const chan = Array.from({ length: 80 }, (_, i) => channel.sendMessage({ text: `c${i}` }));
      const err = await rejection(channel.sendMessage({ text: 'one too many' }));
      expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 3]);
      expect((await rejection(client.sendMessageToPeer({ text: 'peer too' }, 'bob'))).code).toBe(5);
      await Promise.all([...peer, ...chan]);
      expect(conn.requests(Op.SEND_CHANNEL)).toHaveLength(80);
    });

    it('checks file and image messages like the others: INVALID_MESSAGE 4 (media: test/media.spec.ts)', async () => {
      const { channel } = await joined();
      const file = { fileName: 'a.txt', description: '', thumbnail: undefined, size: 1, mediaId: '', messageType: 'FILE' as const };
      expect(await rejection(channel.sendMessage(file))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 4 });
    });

    it.each([
      ['NOT_IN_CHANNEL', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 5],
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmLimitExceededError', 3],
      ['INVALID_MESSAGE', ErrorCode.INVALID_MESSAGE, 'RtmInvalidArgumentError', 4],
      ['SIZE_OVERFLOW', ErrorCode.SIZE_OVERFLOW, 'RtmInvalidArgumentError', 4],
      ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
      ['TIMEOUT', ErrorCode.TIMEOUT, 'RtmTimeoutError', 2],
      ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
      ['UNAVAILABLE', ErrorCode.UNAVAILABLE, 'RtmUnknownError', 1],
    ])('maps server %s (wire %i) to %s %i', async (_name, code, cls, agoraCode) => {
      const { channel } = await joined();
      gw.handlers[Op.SEND_CHANNEL] = () => ({ code, data: { message: 'nope' } });
      const err = await rejection(channel.sendMessage({ text: 'x' }));
      expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
    });

    it('sends the same message (same id) again after messageAttemptMs, and after a reconnect', async () => {
      const { conn, channel, reach } = await joined();
      let calls = 0;
      gw.handlers[Op.SEND_CHANNEL] = () => (++calls === 1 ? undefined : { code: ErrorCode.OK, data: { ts: 1 } });
      await channel.sendMessage({ text: 'x' });
      const frames = conn.requests(Op.SEND_CHANNEL);
      expect(frames).toHaveLength(2);
      expect(frames[1][3]).toEqual(frames[0][3]);

      gw.handlers[Op.SEND_CHANNEL] = (c, args: SendChannelArgs) => (c === conn ? undefined : gw.routeChannelMessage(c, args));
      const sent = channel.sendMessage({ text: 'y' });
      await gw.until(() => conn.requests(Op.SEND_CHANNEL).length === 3);
      conn.kill();
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      await expect(sent).resolves.toBeUndefined();
      const firstWrite = conn.argsOf<SendChannelArgs>(Op.SEND_CHANNEL)[2];
      expect(gw.last.argsOf<SendChannelArgs>(Op.SEND_CHANNEL)).toEqual([firstWrite]);
    });

    it('rejects with RtmTimeoutError 2 after messageTimeoutMs', async () => {
      const { conn, channel } = await joined();
      gw.handlers[Op.SEND_CHANNEL] = () => undefined;
      const err = await rejection(channel.sendMessage({ text: 'x' }));
      expect([err.name, err.code, err.serverCode]).toEqual(['RtmTimeoutError', 2, undefined]);
      expect(conn.requests(Op.SEND_CHANNEL).length).toBeGreaterThanOrEqual(3);
      expect(new Set(conn.argsOf<SendChannelArgs>(Op.SEND_CHANNEL).map((a) => a.id)).size).toBe(1);
    });
  });

  describe('getMembers', () => {
    it('sends GET_MEMBERS {ch} and resolves the uids', async () => {
      await joined('bob');
      const { conn, channel } = await joined('alice');
      expect((await channel.getMembers()).sort()).toEqual(['alice', 'bob']);
      expect(conn.argsOf(Op.GET_MEMBERS)).toEqual([{ ch: 'lobby' }]);
    });

    it('rejects with NOT_IN_CHANNEL 5 when not joined, 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      expect(await rejection(client.createChannel('lobby').getMembers())).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
      const alice = await loggedIn();
      expect(await rejection(alice.client.createChannel('lobby').getMembers())).toMatchObject({ name: 'RtmInvalidStatusError', code: 5 });
    });

    it.each([
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 4],
      ['TIMEOUT', ErrorCode.TIMEOUT, 'RtmTimeoutError', 3],
      ['NOT_IN_CHANNEL', ErrorCode.NOT_IN_CHANNEL, 'RtmInvalidStatusError', 5],
      ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ])('maps server %s to %s %i', async (_name, code, cls, agoraCode) => {
      const { channel } = await joined();
      gw.handlers[Op.GET_MEMBERS] = () => ({ code });
      const err = await rejection(channel.getMembers());
      expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
    });

    it('times out with RtmTimeoutError 3', async () => {
      const { channel } = await joined();
      gw.handlers[Op.GET_MEMBERS] = () => undefined;
      expect(await rejection(channel.getMembers())).toMatchObject({ name: 'RtmTimeoutError', code: 3, serverCode: undefined });
    });
  });

  describe('getChannelMemberCount', () => {
    it('sends MEMBER_COUNT {chs} and maps the counts (request order) to {channelId: count}, no join needed', async () => {
      await joined('bob', 'a');
      const carol = await joined('carol', 'a');
      await carol.client.createChannel('b').join();
      const { client, conn } = await loggedIn();
      await expect(client.getChannelMemberCount(['b', 'empty', 'a'])).resolves.toEqual({ b: 1, empty: 0, a: 2 });
      expect(conn.argsOf(Op.MEMBER_COUNT)).toEqual([{ chs: ['b', 'empty', 'a'] }]);
    });

    it.each([
      ['an empty list', []],
      ['an invalid id', ['ok', 'null']],
      ['not an array', 'lobby'],
    ])('rejects %s with RtmInvalidArgumentError 2', async (_what, ids) => {
      const { client, conn } = await loggedIn();
      expect(await rejection(client.getChannelMemberCount(ids as string[]))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 2 });
      expect(conn.requests(Op.MEMBER_COUNT)).toHaveLength(0);
    });

    it('accepts 32 ids; 33 are RtmLimitExceededError 5', async () => {
      const { client } = await loggedIn();
      const ids = Array.from({ length: 33 }, (_, i) => `c${i}`);
      expect(Object.keys(await client.getChannelMemberCount(ids.slice(0, 32)))).toHaveLength(32);
      expect(await rejection(client.getChannelMemberCount(ids))).toMatchObject({ name: 'RtmLimitExceededError', code: 5 });
    });

    it('rejects with 102 when not logged in', async () => {
      const { client } = createClient(gw.url);
      expect(await rejection(client.getChannelMemberCount(['a']))).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
    });

    it.each([
      ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmInvokeTooOftenError', 3],
      ['TIMEOUT', ErrorCode.TIMEOUT, 'RtmTimeoutError', 4],
      ['EXCEED_LIMIT', ErrorCode.EXCEED_LIMIT, 'RtmLimitExceededError', 5],
      ['INVALID_ARGUMENT', ErrorCode.INVALID_ARGUMENT, 'RtmInvalidArgumentError', 2],
      ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
    ])('maps server %s to %s %i', async (_name, code, cls, agoraCode) => {
      const { client } = await loggedIn();
      gw.handlers[Op.MEMBER_COUNT] = () => ({ code });
      const err = await rejection(client.getChannelMemberCount(['a']));
      expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
    });

    it('times out with RtmTimeoutError 4', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.MEMBER_COUNT] = () => undefined;
      expect(await rejection(client.getChannelMemberCount(['a']))).toMatchObject({ name: 'RtmTimeoutError', code: 4, serverCode: undefined });
    });
  });

  describe('channel events', () => {
    it('MemberJoined / MemberLeft for the other members, never for the local user', async () => {
      const alice = await joined('alice');
      const bob = await joined('bob');
      await bob.channel.leave();
      alice.conn.push(Evt.MEMBER_JOINED, { ch: 'lobby', uid: 'alice' });
      alice.conn.push(Evt.MEMBER_LEFT, { ch: 'lobby', uid: 'alice' });
      await settle(alice.client);
      expect(alice.got.events).toEqual(['joined:bob', 'left:bob']);
      await settle(bob.client);
      expect(bob.got.events).toEqual([]);
    });

    it('MEMBER_COUNT → MemberCountUpdated', async () => {
      const { client, conn, got } = await joined();
      conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 42 });
      await settle(client);
      expect(got.events).toEqual(['count:42']);
    });

    it('emits at most one count per interval, the join-time one included: a sooner push is held, the latest emitted when the interval ends', async () => {
      useFastTimers({ memberCountIntervalMs: 1_000 });
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        const { client, conn } = await loggedIn();
        const channel = client.createChannel('lobby');
        const got = record(channel);
        await channel.join(); // the fake gateway answers count 1: emitted at once
        await Promise.resolve();
        expect(got.events).toEqual(['count:1']);
        conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 2 });
        conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 3 });
        await settle(client);
        jest.advanceTimersByTime(999);
        expect(got.events).toEqual(['count:1']);
        jest.advanceTimersByTime(1);
        expect(got.events).toEqual(['count:1', 'count:3']);
        // The next interval: a push inside it waits again, an unchanged count is never emitted.
        conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 3 });
        await settle(client);
        jest.advanceTimersByTime(1_000);
        expect(got.events).toEqual(['count:1', 'count:3']);
        conn.push(Evt.MEMBER_COUNT, { ch: 'lobby', count: 4 });
        await settle(client);
        expect(got.events).toEqual(['count:1', 'count:3', 'count:4']);
      } finally {
        jest.useRealTimers();
      }
    });

    it('routes by channel id to the joined object only; events of other channels are ignored', async () => {
      const { client, conn, got } = await joined();
      const twin = record(client.createChannel('lobby'));
      const otherGot = record(client.createChannel('other'));
      conn.pushChannelMessage(text('m1'));
      conn.pushChannelMessage(text('m2', { ch: 'other' }));
      conn.push(Evt.MEMBER_JOINED, { ch: 'nowhere', uid: 'bob' });
      await settle(client);
      expect(texts(got)).toEqual(['text m1']);
      expect([twin.messages, twin.events, otherGot.messages]).toEqual([[], [], []]);
    });

    it('delivers events that arrive while the join is in flight (the gateway may push before it answers)', async () => {
      const { client } = await loggedIn();
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) => {
        c.pushChannelMessage(text('early'));
        return gw.joinChannel(c, args);
      };
      const channel = client.createChannel('lobby');
      const got = record(channel);
      await channel.join();
      expect(texts(got)).toEqual(['text early']);
    });

    it('drops duplicates (same sender and id) per channel', async () => {
      const { client, conn } = await loggedIn();
      const lobby = client.createChannel('lobby');
      const other = client.createChannel('other');
      const lobbyGot = record(lobby);
      const otherGot = record(other);
      await Promise.all([lobby.join(), other.join()]);
      conn.pushChannelMessage(text('d1'));
      conn.pushChannelMessage(text('d1', { m: { k: MessageKind.TEXT, text: 'resent' } }));
      conn.pushChannelMessage(text('d1', { from: 'carol' }));
      conn.pushChannelMessage(text('d1', { ch: 'other' }));
      await settle(client);
      expect(lobbyGot.messages.map((m) => [m[1], (m[0] as { text: string }).text])).toEqual([
        ['bob', 'text d1'],
        ['carol', 'text d1'],
      ]);
      expect(otherGot.messages).toHaveLength(1);
    });

    it(`keeps the last ${CHANNEL_DEDUP_CAPACITY} keys per channel, and forgets them when the channel is left`, async () => {
      const { client, conn, channel, got } = await joined();
      for (let i = 0; i <= CHANNEL_DEDUP_CAPACITY; i++) conn.pushChannelMessage(text(`n${i}`));
      conn.pushChannelMessage(text(`n${CHANNEL_DEDUP_CAPACITY}`)); // recent: dropped
      conn.pushChannelMessage(text('n0')); // forgotten: emitted again
      await settle(client);
      expect(got.messages).toHaveLength(CHANNEL_DEDUP_CAPACITY + 2);
      await channel.leave();
      await channel.join();
      conn.pushChannelMessage(text('n5'));
      await settle(client);
      expect(got.messages).toHaveLength(CHANNEL_DEDUP_CAPACITY + 3);
    });

    it('ignores malformed events and unknown message kinds (with a warning); survives a throwing listener', async () => {
      const { client, conn } = await loggedIn('alice', { logFilter: AgoraRTM.LOG_FILTER_WARNING });
      const channel = client.createChannel('lobby');
      const got = record(channel);
      await channel.join();
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      conn.push(Evt.CHANNEL_MESSAGE, { ch: 'lobby', from: 'bob' });
      conn.push(Evt.MEMBER_JOINED, { ch: 'lobby' });
      conn.pushChannelMessage(text('u1', { m: { k: 9 as MessageKind } }));
      conn.pushChannelMessage(text('i1', { m: { k: MessageKind.IMAGE, desc: 'pic', media: { mediaId: 'x' } as unknown as WireMedia } }));
      await settle(client);
      expect(got.messages).toHaveLength(0);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('message kind 9 is not supported'));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('an image message without valid media'));
      channel.on('ChannelMessage', () => {
        throw new Error('app bug');
      });
      conn.pushChannelMessage(text('t1'));
      conn.pushChannelMessage(text('t2'));
      await settle(client);
      expect(texts(got)).toEqual(['text t1', 'text t2']);
      expect(error).toHaveBeenCalled();
    });
  });

  describe('reconnect', () => {
    it('rejoins with since = 0 and seen = [] when no message was received; no MemberJoined for the others, stays joined', async () => {
      const bob = await joined('bob');
      const alice = await joined('alice');
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      expect(gw.last.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby', since: 0, seen: [] }]);
      await settle(bob.client);
      expect(bob.got.events).toEqual(['joined:alice']);
      await expect(alice.channel.getMembers()).resolves.toHaveLength(2);
    });

    it('rejoins with since = newest serverReceivedTs and seen = its ids; replayed messages get isRecovered / recoveryComplete', async () => {
      const bob = await joined('bob');
      const alice = await joined('alice');
      alice.conn.pushChannelMessage(text('a', { ts: 100 }));
      alice.conn.pushChannelMessage(text('c', { ts: 200 }));
      alice.conn.pushChannelMessage(text('b', { ts: 150 }));
      alice.conn.pushChannelMessage(text('d', { ts: 200 }));
      await settle(alice.client);
      // What the gateway has: the messages above plus two alice missed.
      gw.channelHistory.set('lobby', [text('a', { ts: 100 }), text('c', { ts: 200 }), text('d', { ts: 200 }), text('e', { ts: 200 }), text('f', { ts: 300 })]);
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      expect(gw.last.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby', since: 200, seen: ['c', 'd'] }]);
      await settle(alice.client);
      const recovered = alice.got.messages.slice(4);
      expect(recovered.map((m) => [(m[0] as { text: string }).text, m[2]])).toEqual([
        ['text e', { serverReceivedTs: 200, isRecovered: true, recoveryComplete: true }],
        ['text f', { serverReceivedTs: 300, isRecovered: true, recoveryComplete: true }],
      ]);
      expect(alice.got.messages[0][2]).toEqual({ serverReceivedTs: 100 });
      // Live again: bob's next message arrives normally.
      await bob.channel.sendMessage({ text: 'live' });
      await settle(alice.client);
      expect(texts(alice.got).at(-1)).toBe('live');
      expect(alice.got.messages.at(-1)?.[2]).toEqual({ serverReceivedTs: expect.any(Number) });
    });

    it("holds the channel's messages and getMembers (pending or new) until the rejoin was answered", async () => {
      useFastTimers({ messageAttemptMs: 5000, messageTimeoutMs: 3000, requestTimeoutMs: 3000 });
      await joined('bob');
      const alice = await joined('alice');
      gw.handlers[Op.SEND_CHANNEL] = (c, args: SendChannelArgs) => (c === alice.conn ? undefined : gw.routeChannelMessage(c, args));
      const pending = alice.channel.sendMessage({ text: 'before' });
      await gw.until(() => alice.conn.requests(Op.SEND_CHANNEL).length === 1);
      let answerJoin: (() => void) | undefined;
      gw.handlers[Op.JOIN] = (c, args: JoinArgs, id) => {
        answerJoin = () => c.send([Frame.RES, id, ErrorCode.OK, gw.joinChannel(c, args).data]);
        return undefined;
      };
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      const conn = gw.last;
      await gw.until(() => conn.requests(Op.JOIN).length === 1);
      const during = alice.channel.sendMessage({ text: 'during' });
      const members = alice.channel.getMembers();
      await settle(alice.client);
      expect(conn.requests(Op.SEND_CHANNEL)).toHaveLength(0);
      expect(conn.requests(Op.GET_MEMBERS)).toHaveLength(0);
      answerJoin?.();
      await Promise.all([pending, during]);
      expect((await members).sort()).toEqual(['alice', 'bob']);
      const order = conn.frames.filter((f) => f[0] === Frame.REQ && f[2] !== Op.QUERY_ONLINE).map((f) => f[2]);
      expect(order.slice(0, 2)).toEqual([Op.LOGIN, Op.JOIN]);
      expect(conn.argsOf<SendChannelArgs>(Op.SEND_CHANNEL).map((a) => a.m.text)).toEqual(['before', 'during']);
    });

    it('flags replayed messages recoveryComplete: false when the gateway lost some (lost: true)', async () => {
      const alice = await joined('alice');
      await joined('bob');
      gw.channelHistory.set('lobby', [text('x1', { ts: 10 })]);
      gw.recoveryLost = true;
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      await settle(alice.client);
      expect(alice.got.messages.map((m) => m[2])).toEqual([{ serverReceivedTs: 10, isRecovered: true, recoveryComplete: false }]);
    });

    it('drops replayed messages it already had (kept across the reconnect) and keeps the member count quiet unless it changed', async () => {
      const alice = await joined('alice');
      await joined('bob');
      alice.conn.pushChannelMessage(text('k1', { ts: 10 }));
      await settle(alice.client);
      alice.got.events.length = 0;
      // A gateway that ignores `since` and replays everything.
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) => {
        c.pushChannelMessage({ ...text('k1', { ts: 10 }), rec: true });
        c.pushChannelMessage({ ...text('k2', { ts: 20 }), rec: true });
        return { code: ErrorCode.OK, data: { count: args.since === undefined ? 2 : 1 } };
      };
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      await settle(alice.client);
      expect(texts(alice.got)).toEqual(['text k1', 'text k2']);
      expect(alice.got.events).toEqual([]);
      gw.handlers[Op.JOIN] = () => ({ code: ErrorCode.OK, data: { count: 5 } });
      gw.last.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      await settle(alice.client);
      expect(alice.got.events).toEqual(['count:5']);
    });

    it('rejoins after a gateway drain (Evt.RECONNECT) on the new gateway', async () => {
      const other = await FakeGateway.start();
      try {
        const rec = createClient([gw.url, other.url]);
        await rec.client.login({ uid: 'alice' });
        const channel = rec.client.createChannel('lobby');
        await channel.join();
        gw.last.push(Evt.RECONNECT, {});
        await other.until(() => other.last?.requests(Op.JOIN).length === 1, 2000, 'rejoin on the other gateway');
        expect(other.last.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby', since: 0, seen: [] }]);
        expect(rec.states.filter((s) => !s.startsWith('CONNECT'))).toEqual([]);
      } finally {
        await logoutAll();
        await other.close();
      }
    });

    it('retries a rejoin that failed with a retryable error (TIMEOUT, UNAVAILABLE) with backoff', async () => {
      const alice = await joined('alice');
      let refusals = 2;
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) =>
        refusals-- > 0 ? { code: refusals === 1 ? ErrorCode.TIMEOUT : ErrorCode.UNAVAILABLE } : gw.joinChannel(c, args);
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 3, 3000, 'third rejoin');
      expect(new Set(gw.last.argsOf(Op.JOIN).map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ ch: 'lobby', since: 0, seen: [] })]));
      await expect(alice.channel.sendMessage({ text: 'x' })).resolves.toBeUndefined();
    });

    it('a rejoin refused for good (e.g. EXCEED_LIMIT) leaves the channel not joined, with an error logged', async () => {
      const alice = await loggedIn('alice', { logFilter: AgoraRTM.LOG_FILTER_ERROR });
      const channel = alice.client.createChannel('lobby');
      const got = record(channel);
      await channel.join();
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      gw.handlers[Op.JOIN] = () => ({ code: ErrorCode.EXCEED_LIMIT, data: { message: 'full' } });
      alice.conn.kill();
      await alice.reach('CONNECTED', 'LOGIN_SUCCESS');
      await gw.until(() => gw.last.requests(Op.JOIN).length === 1);
      await settle(alice.client);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('could not rejoin channel lobby'));
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
      gw.last.pushChannelMessage(text('after'));
      await settle(alice.client);
      expect(got.messages).toHaveLength(0);
      delete gw.handlers[Op.JOIN];
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) => gw.joinChannel(c, args);
      await channel.join();
    });
  });

  describe('end of the session', () => {
    it('logout: every channel is not joined (no events), pending joins and sends reject with 102; a new login starts clean', async () => {
      const { client, conn, channel, got } = await joined();
      const pendingChannel = client.createChannel('pending');
      gw.handlers[Op.JOIN] = () => undefined;
      gw.handlers[Op.SEND_CHANNEL] = () => undefined;
      const join = rejection(pendingChannel.join());
      const send = rejection(channel.sendMessage({ text: 'x' }));
      await gw.until(() => conn.requests(Op.SEND_CHANNEL).length === 1 && conn.requests(Op.JOIN).length === 2);
      await client.logout();
      expect(await join).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
      expect(await send).toMatchObject({ name: 'RtmInvalidStatusError', code: 102 });
      expect(conn.requests(Op.LEAVE)).toHaveLength(0);
      await delay(FAST_TIMERS.loginReentryMs!);
      await client.login({ uid: 'alice' });
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(5);
      expect((await rejection(channel.leave())).code).toBe(3);
      gw.last.pushChannelMessage(text('m1'));
      await settle(client);
      expect([got.messages, got.events]).toEqual([[], []]);
      delete gw.handlers[Op.JOIN];
      gw.handlers[Op.JOIN] = (c, args: JoinArgs) => gw.joinChannel(c, args);
      await channel.join();
      await pendingChannel.join();
      expect(gw.last.argsOf(Op.JOIN)).toEqual([{ ch: 'lobby' }, { ch: 'pending' }]);
    });

    it('ABORTED (remote login): channels are not joined any more, a join waiting for the re-login rejects with 102', async () => {
      const { client, channel, reach } = await joined();
      const waiting = client.createChannel('waiting');
      gw.handlers[Op.JOIN] = () => undefined;
      const join = rejection(waiting.join());
      await gw.until(() => gw.last.requests(Op.JOIN).length === 2);
      gw.last.drop('REMOTE_LOGIN');
      await reach('ABORTED', 'REMOTE_LOGIN');
      expect((await join).code).toBe(102);
      expect((await rejection(channel.sendMessage({ text: 'x' }))).code).toBe(102);
      expect((await rejection(channel.leave())).code).toBe(102);
    });

    it('a join interrupted by a lost connection rejects with 102 when logout() comes before the re-login', async () => {
      const { client, conn, reach } = await loggedIn();
      gw.handlers[Op.JOIN] = () => undefined;
      const join = rejection(client.createChannel('lobby').join());
      await gw.until(() => conn.requests(Op.JOIN).length === 1);
      gw.handlers[Op.LOGIN] = () => undefined;
      conn.kill();
      await reach('RECONNECTING');
      await client.logout();
      expect((await join).code).toBe(102);
    });
  });
});
