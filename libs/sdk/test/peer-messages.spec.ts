import {
  END_CALL_PREFIX as CONTRACTS_END_CALL_PREFIX,
  ErrorCode,
  Frame,
  MessageKind,
  Op,
  PeerDelivery,
  type PeerMessageEvent,
  type SendPeerArgs,
  type WireMedia,
} from '@parley/contracts';
import AgoraRTM, { END_CALL_PREFIX } from '../src';
import type { ReceivedMessageProperties, RtmClient, RtmMessage, RtmRawMessage } from '../src';
import { PEER_DEDUP_CAPACITY } from '../src/features/peer-messages';
import { FakeGateway, type FakeConnection } from './fake-gateway';
import { FAST_TIMERS, createClient, delay, logoutAll, rejection, useFastTimers } from './helpers';

type Received = [RtmMessage, string, ReceivedMessageProperties];

describe('peer-to-peer messages', () => {
  let gw: FakeGateway;

  beforeEach(async () => {
    useFastTimers();
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

  function sendArgs(conn: FakeConnection): SendPeerArgs[] {
    return conn.requests(Op.SEND_PEER).map((f) => f[3] as SendPeerArgs);
  }

  function record(client: RtmClient): Received[] {
    const got: Received[] = [];
    client.on('MessageFromPeer', (...args) => got.push(args));
    return got;
  }

  /** Lets the client process what the gateway sent (one local round trip). */
  async function settle(client: RtmClient): Promise<void> {
    await client.queryPeersOnlineStatus(['nobody']);
  }

  describe('sendMessageToPeer', () => {
    it('sends SEND_PEER {to, id, m: TEXT} and resolves RECEIVED once the peer took it', async () => {
      const { client, conn } = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const got = record(bob.client);
      const result = await client.sendMessageToPeer({ text: 'hello' }, 'bob');
      expect(result).toEqual({ hasPeerReceived: true, deliveryState: 'RECEIVED' });
      const [args] = sendArgs(conn);
      expect(args).toEqual({ to: 'bob', id: `${client.instanceId}-1`, m: { k: MessageKind.TEXT, text: 'hello' } });
      expect(got).toHaveLength(1);
      expect(got[0][0]).toEqual({ text: 'hello', messageType: 'TEXT' });
      expect(got[0][1]).toBe('alice');
    });

    it.each([
      [PeerDelivery.RECEIVED, { hasPeerReceived: true, deliveryState: 'RECEIVED' }],
      [PeerDelivery.PEER_UNREACHABLE, { hasPeerReceived: false, deliveryState: 'PEER_UNREACHABLE' }],
      [PeerDelivery.CACHED_BY_SERVER, { hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' }],
    ])('maps delivery %i to %j', async (d, expected) => {
      const { client } = await loggedIn();
      gw.handlers[Op.SEND_PEER] = () => ({ code: ErrorCode.OK, data: { d, ts: 1 } });
      await expect(client.sendMessageToPeer({ text: 'x' }, 'bob')).resolves.toEqual(expected);
    });

    it('reports PEER_UNREACHABLE for an offline peer, CACHED_BY_SERVER with enableOfflineMessaging (offline: true on the wire)', async () => {
      const { client, conn } = await loggedIn();
      await expect(client.sendMessageToPeer({ text: 'a' }, 'carol')).resolves.toEqual({ hasPeerReceived: false, deliveryState: 'PEER_UNREACHABLE' });
      await expect(client.sendMessageToPeer({ text: 'b' }, 'carol', { enableOfflineMessaging: true, enableHistoricalMessaging: true })).resolves.toEqual({
        hasPeerReceived: false,
        deliveryState: 'CACHED_BY_SERVER',
      });
      await client.sendMessageToPeer({ text: 'c' }, 'carol', { enableOfflineMessaging: false });
      const args = sendArgs(conn);
      expect(args.map((a) => a.offline)).toEqual([undefined, true, undefined]);
      expect(args.map((a) => 'offline' in a)).toEqual([false, true, false]);
    });

    it('sends a raw message as MessagePack bin (exactly the view bytes) with its description', async () => {
      const { client, conn } = await loggedIn();
      const backing = new Uint8Array([9, 9, 0, 1, 255, 9]);
      await client.sendMessageToPeer({ rawMessage: backing.subarray(2, 5), description: 'bin' }, 'bob');
      await client.sendMessageToPeer(client.createMessage({ rawMessage: new Uint8Array([7]) }), 'bob');
      const [withDesc, withoutDesc] = sendArgs(conn);
      expect(withDesc.m.k).toBe(MessageKind.RAW);
      expect(withDesc.m.raw).toBeInstanceOf(Uint8Array);
      expect(Array.from(withDesc.m.raw as Uint8Array)).toEqual([0, 1, 255]);
      expect(withDesc.m.desc).toBe('bin');
      expect(withDesc.m.text).toBeUndefined();
      expect(Array.from(withoutDesc.m.raw as Uint8Array)).toEqual([7]);
      expect('desc' in withoutDesc.m).toBe(false);
    });

    it('gives every message its own id (unique per client instance)', async () => {
      const { client, conn } = await loggedIn();
      const other = await loggedIn('carol');
      await Promise.all([client.sendMessageToPeer({ text: '1' }, 'bob'), client.sendMessageToPeer({ text: '2' }, 'bob')]);
      await other.client.sendMessageToPeer({ text: '3' }, 'bob');
      const ids = [...sendArgs(conn), ...sendArgs(other.conn)].map((a) => a.id);
      expect(new Set(ids).size).toBe(3);
      expect(ids[0].startsWith(`${client.instanceId}-`)).toBe(true);
      expect(ids[2].startsWith(`${other.client.instanceId}-`)).toBe(true);
    });

    it('sends a legacy end-call text as an ordinary text message', async () => {
      const { client, conn } = await loggedIn();
      const text = `${END_CALL_PREFIX}_room-1_`;
      await client.sendMessageToPeer({ text }, 'bob');
      expect(sendArgs(conn)[0].m).toEqual({ k: MessageKind.TEXT, text });
    });

    describe('client-side checks (nothing is sent)', () => {
      it('rejects with RtmInvalidStatusError 102 when not logged in', async () => {
        const { client } = createClient(gw.url);
        const err = await rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      });

      it('rejects with 102 while RECONNECTING', async () => {
        const { client, reach } = await loggedIn();
        gw.handlers[Op.LOGIN] = () => undefined;
        gw.last.kill();
        await reach('RECONNECTING');
        const err = await rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      });

      it.each([[''], ['null'], ['x'.repeat(65)], [' lead'], ['tab\there'], [7], [undefined]])(
        'rejects peerId %j with RtmInvalidArgumentError 6',
        async (peerId) => {
          const { client, conn } = await loggedIn();
          const err = await rejection(client.sendMessageToPeer({ text: 'x' }, peerId as string));
          expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 6]);
          expect(sendArgs(conn)).toHaveLength(0);
        },
      );

      it.each([
        ['text and rawMessage', { text: 'x', rawMessage: new Uint8Array([1]) }],
        ['text with messageType RAW', { text: 'x', messageType: 'RAW' }],
        ['rawMessage with messageType TEXT', { rawMessage: new Uint8Array([1]), messageType: 'TEXT' }],
        ['text with an unknown messageType', { text: 'x', messageType: 'HTML' }],
      ])('rejects %s with INCOMPATIBLE_MESSAGE 8', async (_what, message) => {
        const { client, conn } = await loggedIn();
        const err = await rejection(client.sendMessageToPeer(message as unknown as RtmMessage, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 8]);
        expect(sendArgs(conn)).toHaveLength(0);
      });

      it.each([
        ['an empty object', {}],
        ['null', null],
        ['a string', 'hello'],
        ['only a messageType', { messageType: 'TEXT' }],
        ['a non-string text', { text: 42 }],
        ['a rawMessage that is not a Uint8Array', { rawMessage: [1, 2] }],
        ['an ArrayBuffer rawMessage', { rawMessage: new ArrayBuffer(2) }],
        ['a non-string description', { rawMessage: new Uint8Array([1]), description: 5 }],
      ])('rejects %s with INVALID_MESSAGE 7', async (_what, message) => {
        const { client, conn } = await loggedIn();
        const err = await rejection(client.sendMessageToPeer(message as unknown as RtmMessage, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 7]);
        expect(sendArgs(conn)).toHaveLength(0);
      });

      it('accepts 32768 bytes and rejects 32769 (text UTF-8 bytes, raw + description bytes) with INVALID_MESSAGE 7', async () => {
        const { client, conn } = await loggedIn();
        await client.sendMessageToPeer({ text: 'a'.repeat(32768) }, 'bob');
        await client.sendMessageToPeer({ rawMessage: new Uint8Array(32760), description: 'é'.repeat(4) }, 'bob');
        const tooBig: RtmMessage[] = [
          { text: 'a'.repeat(32769) },
          { text: '€'.repeat(10923) }, // 3 bytes each: 32769
          { text: '😀'.repeat(8192) + 'a' }, // 4 bytes each: 32769
          { rawMessage: new Uint8Array(32769) },
          { rawMessage: new Uint8Array(32760), description: 'é'.repeat(4) + 'a' },
        ];
        for (const message of tooBig) {
          const err = await rejection(client.sendMessageToPeer(message, 'bob'));
          expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 7]);
        }
        expect(sendArgs(conn)).toHaveLength(2);
      });

      it('checks file and image messages like the others (INVALID_MESSAGE 7, INCOMPATIBLE_MESSAGE 8; media test/media.spec.ts)', async () => {
        const { client, conn } = await loggedIn();
        const file = { fileName: 'a.txt', description: '', thumbnail: undefined, size: 1, mediaId: '', messageType: 'FILE' as const };
        expect(await rejection(client.sendMessageToPeer(file, 'bob'))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 7 });
        const both = { ...file, mediaId: 'm', text: 'x' } as unknown as RtmMessage;
        expect(await rejection(client.sendMessageToPeer(both, 'bob'))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 8 });
        expect(sendArgs(conn)).toHaveLength(0);
      });

      it('allows 180 messages in a sliding 3 s; the 181st is RtmLimitExceededError 5 and is not sent', async () => {
        const { client, conn } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => ({ code: ErrorCode.OK, data: { d: PeerDelivery.PEER_UNREACHABLE, ts: 0 } });
        const sends = Array.from({ length: 180 }, (_, i) => client.sendMessageToPeer({ text: `m${i}` }, 'bob'));
        const err = await rejection(client.sendMessageToPeer({ text: 'one too many' }, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmLimitExceededError', 5]);
        await Promise.all(sends);
        expect(sendArgs(conn)).toHaveLength(180);
        // Rejected calls do not use the budget; 3 s after the burst there is room again.
        const now = Date.now();
        jest.spyOn(Date, 'now').mockReturnValue(now + 2000);
        expect((await rejection(client.sendMessageToPeer({ text: 'still too many' }, 'bob'))).code).toBe(5);
        jest.spyOn(Date, 'now').mockReturnValue(now + 3100);
        await expect(client.sendMessageToPeer({ text: 'ok again' }, 'bob')).resolves.toMatchObject({ hasPeerReceived: false });
        expect(sendArgs(conn)).toHaveLength(181);
      });
    });

    describe('server errors', () => {
      it.each([
        ['NOT_LOGGED_IN', ErrorCode.NOT_LOGGED_IN, 'RtmInvalidStatusError', 102],
        ['TOO_OFTEN', ErrorCode.TOO_OFTEN, 'RtmLimitExceededError', 5],
        ['INVALID_USER_ID', ErrorCode.INVALID_USER_ID, 'RtmInvalidArgumentError', 6],
        ['INVALID_MESSAGE', ErrorCode.INVALID_MESSAGE, 'RtmInvalidArgumentError', 7],
        ['SIZE_OVERFLOW', ErrorCode.SIZE_OVERFLOW, 'RtmInvalidArgumentError', 7],
        ['TIMEOUT', ErrorCode.TIMEOUT, 'RtmTimeoutError', 2],
        ['UNAVAILABLE', ErrorCode.UNAVAILABLE, 'RtmUnknownError', 1],
        ['UNKNOWN', ErrorCode.UNKNOWN, 'RtmUnknownError', 1],
        ['REJECTED', ErrorCode.REJECTED, 'RtmUnknownError', 1],
      ])('maps %s (wire %i) to %s %i, serverCode kept', async (_name, code, cls, agoraCode) => {
        const { client } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => ({ code, data: { message: 'nope' } });
        const err = await rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        expect([err.name, err.code, err.serverCode]).toEqual([cls, agoraCode, code]);
        expect(err.message).toContain('nope');
      });

      it('rejects an answer with an unknown delivery state as RtmUnknownError 1', async () => {
        const { client } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => ({ code: ErrorCode.OK, data: { d: 9, ts: 0 } });
        const err = await rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        expect([err.name, err.code]).toEqual(['RtmUnknownError', 1]);
      });
    });

    describe('timeouts and resends', () => {
      it('sends the same message (same id, new request id) again after messageAttemptMs without an answer', async () => {
        const { client, conn } = await loggedIn();
        let calls = 0;
        gw.handlers[Op.SEND_PEER] = () => (++calls === 1 ? undefined : { code: ErrorCode.OK, data: { d: PeerDelivery.RECEIVED, ts: 5 } });
        const started = Date.now();
        await expect(client.sendMessageToPeer({ text: 'x' }, 'bob')).resolves.toMatchObject({ hasPeerReceived: true });
        expect(Date.now() - started).toBeGreaterThanOrEqual(FAST_TIMERS.messageAttemptMs! - 20);
        const frames = conn.requests(Op.SEND_PEER);
        expect(frames).toHaveLength(2);
        expect(frames[1][3]).toEqual(frames[0][3]);
        expect(frames[1][1]).not.toBe(frames[0][1]);
      });

      it('accepts a late answer to the first attempt after the resend', async () => {
        const { client, conn } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => undefined;
        const sent = client.sendMessageToPeer({ text: 'x' }, 'bob');
        await gw.until(() => conn.requests(Op.SEND_PEER).length === 2, 2000, 'resend');
        const firstId = conn.requests(Op.SEND_PEER)[0][1];
        conn.send([Frame.RES, firstId, ErrorCode.OK, { d: PeerDelivery.CACHED_BY_SERVER, ts: 1 }]);
        await expect(sent).resolves.toEqual({ hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' });
      });

      it('sends the same message again after a reconnect', async () => {
        useFastTimers({ messageAttemptMs: 5000, messageTimeoutMs: 3000 }); // no attempt timeout in this test
        const { client, conn, reach } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = (c) => (c === conn ? undefined : { code: ErrorCode.OK, data: { d: PeerDelivery.RECEIVED, ts: 1 } });
        const sent = client.sendMessageToPeer({ rawMessage: new Uint8Array([1, 2, 3]) }, 'bob');
        await gw.until(() => conn.requests(Op.SEND_PEER).length === 1);
        conn.kill();
        await reach('CONNECTED', 'LOGIN_SUCCESS');
        await expect(sent).resolves.toEqual({ hasPeerReceived: true, deliveryState: 'RECEIVED' });
        const resent = gw.last.requests(Op.SEND_PEER);
        expect(gw.last).not.toBe(conn);
        expect(resent).toHaveLength(1);
        expect(resent[0][3]).toEqual(conn.requests(Op.SEND_PEER)[0][3]);
      });

      it('rejects with RtmTimeoutError 2 after messageTimeoutMs, having tried every messageAttemptMs', async () => {
        const { client, conn } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => undefined;
        const started = Date.now();
        const err = await rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        expect([err.name, err.code, err.serverCode]).toEqual(['RtmTimeoutError', 2, undefined]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(FAST_TIMERS.messageTimeoutMs! - 20);
        const frames = conn.requests(Op.SEND_PEER);
        expect(frames.length).toBeGreaterThanOrEqual(3); // at 0, 300, 600 (and 900) ms
        expect(frames.length).toBeLessThanOrEqual(4);
        expect(new Set(frames.map((f) => (f[3] as SendPeerArgs).id)).size).toBe(1);
        expect(new Set(frames.map((f) => f[1])).size).toBe(frames.length);
        await delay(400);
        expect(conn.requests(Op.SEND_PEER)).toHaveLength(frames.length); // nothing after the deadline
      });

      it('is rejected with 102 when logout() comes first', async () => {
        const { client } = await loggedIn();
        gw.handlers[Op.SEND_PEER] = () => undefined;
        const sent = rejection(client.sendMessageToPeer({ text: 'x' }, 'bob'));
        await gw.until(() => gw.last.requests(Op.SEND_PEER).length === 1);
        await client.logout();
        const err = await sent;
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      });
    });
  });

  describe('MessageFromPeer', () => {
    const text = (id: string, extra: Partial<PeerMessageEvent> = {}): PeerMessageEvent => ({
      from: 'bob',
      id,
      m: { k: MessageKind.TEXT, text: `text ${id}` },
      ts: 1_700_000_000_123,
      ...extra,
    });

    it('emits a text message with serverReceivedTs and isOfflineMessage false, then ACKs', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const ackId = conn.pushPeerMessage(text('m1'));
      await gw.until(() => conn.acks.includes(ackId));
      expect(got).toEqual([[{ text: 'text m1', messageType: 'TEXT' }, 'bob', { serverReceivedTs: 1_700_000_000_123, isOfflineMessage: false }]]);
    });

    it('emits a raw message as a plain Uint8Array (not a Buffer) with its description ("" when none)', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      conn.pushPeerMessage({ from: 'bob', id: 'r1', m: { k: MessageKind.RAW, raw: bytes, desc: 'png' }, ts: 1 });
      const ackId = conn.pushPeerMessage({ from: 'bob', id: 'r2', m: { k: MessageKind.RAW, raw: new Uint8Array(0) }, ts: 2 });
      await gw.until(() => conn.acks.includes(ackId));
      expect(got).toHaveLength(2);
      const [first, second] = got.map((g) => g[0] as { rawMessage: Uint8Array; description: string; messageType: string });
      expect(first.rawMessage).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(first.rawMessage)).toBe(false);
      expect(Object.getPrototypeOf(first.rawMessage)).toBe(Uint8Array.prototype);
      expect(Array.from(first.rawMessage)).toEqual(Array.from(bytes));
      expect(first.rawMessage.byteOffset).toBe(0);
      expect(first.rawMessage.buffer.byteLength).toBe(bytes.byteLength);
      expect([first.description, first.messageType]).toEqual(['png', 'RAW']);
      expect([second.rawMessage.byteLength, second.description, second.messageType]).toEqual([0, '', 'RAW']);
    });

    it('flags messages from the offline store with isOfflineMessage', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const ackId = conn.pushPeerMessage(text('o1', { off: true }));
      await gw.until(() => conn.acks.includes(ackId));
      expect(got[0][2]).toEqual({ serverReceivedTs: 1_700_000_000_123, isOfflineMessage: true });
    });

    it('delivers a legacy end-call text like any text', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const body = `${AgoraRTM.END_CALL_PREFIX}_room_`;
      const ackId = conn.pushPeerMessage(text('e1', { m: { k: MessageKind.TEXT, text: body } }));
      await gw.until(() => conn.acks.includes(ackId));
      expect(got[0][0]).toEqual({ text: body, messageType: 'TEXT' });
    });

    it('ACKs after the listeners ran (a request made inside a listener reaches the gateway first)', async () => {
      const { client, conn } = await loggedIn();
      let query: Promise<unknown> | undefined;
      client.on('MessageFromPeer', () => {
        query = client.queryPeersOnlineStatus(['carol']);
      });
      const ackId = conn.pushPeerMessage(text('a1'));
      await gw.until(() => conn.acks.includes(ackId));
      await query;
      const order = conn.frames.filter((f) => f[0] === Frame.ACK || (f[0] === Frame.REQ && f[2] === Op.QUERY_ONLINE)).map((f) => f[0]);
      expect(order).toEqual([Frame.REQ, Frame.ACK]);
    });

    it('still ACKs when a listener throws, and keeps working', async () => {
      const { client, conn } = await loggedIn();
      client.on('MessageFromPeer', () => {
        throw new Error('app bug');
      });
      const ackId = conn.pushPeerMessage(text('t1'));
      await gw.until(() => conn.acks.includes(ackId));
      await expect(client.sendMessageToPeer({ text: 'still fine' }, 'bob')).resolves.toBeDefined();
    });

    it('drops a duplicate (same sender and message id) but ACKs it; the same id from another sender is a new message', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const a1 = conn.pushPeerMessage(text('d1'));
      const a2 = conn.pushPeerMessage(text('d1', { m: { k: MessageKind.TEXT, text: 'resent' } }));
      const a3 = conn.pushPeerMessage(text('d1', { from: 'carol' }));
      await gw.until(() => [a1, a2, a3].every((a) => conn.acks.includes(a)));
      expect(conn.acks).toEqual([a1, a2, a3]);
      expect(got.map((g) => [g[1], (g[0] as { text: string }).text])).toEqual([
        ['bob', 'text d1'],
        ['carol', 'text d1'],
      ]);
    });

    it('remembers message ids across a reconnect', async () => {
      const { client, conn, reach } = await loggedIn();
      const got = record(client);
      const a1 = conn.pushPeerMessage(text('x1'));
      await gw.until(() => conn.acks.includes(a1));
      conn.kill();
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      const next = gw.last;
      const a2 = next.pushPeerMessage(text('x1', { off: true }));
      const a3 = next.pushPeerMessage(text('x2'));
      await gw.until(() => next.acks.includes(a2) && next.acks.includes(a3));
      expect(got.map((g) => (g[0] as { text: string }).text)).toEqual(['text x1', 'text x2']);
    });

    it('forgets message ids at logout', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const a1 = conn.pushPeerMessage(text('l1'));
      await gw.until(() => conn.acks.includes(a1));
      await client.logout();
      await delay(FAST_TIMERS.loginReentryMs!);
      await client.login({ uid: 'alice' });
      const next = gw.last;
      const a2 = next.pushPeerMessage(text('l1'));
      await gw.until(() => next.acks.includes(a2));
      expect(got.map((g) => (g[0] as { text: string }).text)).toEqual(['text l1', 'text l1']);
    });

    it(`keeps the last ${PEER_DEDUP_CAPACITY} message ids`, async () => {
      const { client, conn } = await loggedIn();
      let count = 0;
      client.on('MessageFromPeer', () => count++);
      for (let i = 0; i <= PEER_DEDUP_CAPACITY; i++) conn.pushPeerMessage(text(`n${i}`));
      await gw.until(() => conn.acks.length === PEER_DEDUP_CAPACITY + 1, 5000);
      const dup = conn.pushPeerMessage(text(`n${PEER_DEDUP_CAPACITY}`)); // recent: dropped
      const old = conn.pushPeerMessage(text('n0')); // forgotten: emitted again
      await gw.until(() => conn.acks.includes(dup) && conn.acks.includes(old));
      expect(count).toBe(PEER_DEDUP_CAPACITY + 2);
    });

    it('ACKs but does not emit an unknown message kind or an image without valid media, with a warning', async () => {
      const { client, conn } = await loggedIn('alice', { logFilter: AgoraRTM.LOG_FILTER_WARNING });
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const got = record(client);
      const unknown = conn.pushPeerMessage(text('u1', { m: { k: 9 as MessageKind } }));
      const image = conn.pushPeerMessage(text('i1', { m: { k: MessageKind.IMAGE, desc: 'pic', media: { mediaId: 'x' } as unknown as WireMedia } }));
      await gw.until(() => conn.acks.includes(unknown) && conn.acks.includes(image));
      await settle(client);
      expect(got).toHaveLength(0);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('message kind 9 is not supported'));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('an image message without valid media'));
    });

    it('ignores a malformed event (still ACKed)', async () => {
      const { client, conn } = await loggedIn();
      const got = record(client);
      const a1 = conn.pushAcked(10, { from: 'bob' });
      const a2 = conn.pushPeerMessage(text('ok', { m: { k: MessageKind.TEXT } as PeerMessageEvent['m'] }));
      await gw.until(() => conn.acks.includes(a1) && conn.acks.includes(a2));
      expect(got).toHaveLength(0);
    });
  });

  describe('between two clients (fake gateway routing)', () => {
    it('delivers raw bytes end to end and reports RECEIVED after the peer ACKed', async () => {
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const got = record(bob.client);
      const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 256);
      const result = await alice.client.sendMessageToPeer({ rawMessage: payload, description: 'blob' }, 'bob');
      expect(result).toEqual({ hasPeerReceived: true, deliveryState: 'RECEIVED' });
      expect(got).toHaveLength(1);
      const [message, from, props] = got[0];
      expect(from).toBe('alice');
      expect(message.messageType).toBe('RAW');
      if (message.messageType === 'RAW') {
        expect(Array.from(message.rawMessage)).toEqual(Array.from(payload));
        expect(message.description).toBe('blob');
      }
      expect(props.isOfflineMessage).toBe(false);
      expect(typeof props.serverReceivedTs).toBe('number');
    });
  });

  describe('createMessage and END_CALL_PREFIX', () => {
    it('createMessage returns the object itself with messageType filled in', () => {
      const client = AgoraRTM.createInstance('0123456789abcdef0123456789abcdef', { logFilter: AgoraRTM.LOG_FILTER_OFF });
      const t = { text: 'hi' };
      expect(client.createMessage(t)).toBe(t);
      expect(t).toEqual({ text: 'hi', messageType: 'TEXT' });
      const raw = client.createMessage<RtmRawMessage>({ rawMessage: new Uint8Array([1]) });
      expect(raw.messageType).toBe('RAW');
      expect(client.createMessage({ text: 'x', messageType: 'TEXT' }).messageType).toBe('TEXT');
    });

    it('exports END_CALL_PREFIX (also on AgoraRTM), equal to the contracts constant', () => {
      expect(END_CALL_PREFIX).toBe('AgoraRTMLegacyEndcallCompatibleMessagePrefix');
      expect(END_CALL_PREFIX).toBe(CONTRACTS_END_CALL_PREFIX);
      expect(AgoraRTM.END_CALL_PREFIX).toBe(END_CALL_PREFIX);
    });
  });
});
