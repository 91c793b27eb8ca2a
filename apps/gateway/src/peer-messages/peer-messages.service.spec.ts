import { createCodec, ErrorCode, Evt, MessageKind, PeerDelivery, type AppId, type PeerMessageEvent, type SessionId, type Uid } from '@parley/contracts';
import { PeerRouteCode, UserMsgKind } from '@parley/contracts/internal';
import type { NatsBus, RequestMux, ServiceClient } from '@parley/platform';
import { PeerMessageDelivery, PeerRoutes, type HistoryCapture, type MessageCapture } from '@parley/delivery';
import type { Msg } from 'nats';
import type { OfflineClient } from '../clients/offline.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { PeerRoute } from '../sessions/peer-route';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { PeerMessagesService } from './peer-messages.service';

const codec = createCodec();
const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const config = {
  MESSAGE_MAX_BYTES: 32 * 1024,
  MESSAGE_RATE: { limit: 180, windowMs: 3000 },
  PEER_DELIVERY_TIMEOUT_MS: 6000,
  ACK_TIMEOUT_MS: 4000,
  OFFLINE_FLUSH_BATCH: 2,
} as GatewayConfig;

interface FakeConn {
  ack: boolean;
  closed: boolean;
  session: Session | null;
  deliver: jest.Mock<Promise<boolean>, [number, unknown]>;
  deliverThen: (evt: number, data: unknown, timeoutMs: number, settle: (ok: boolean) => void) => void;
}

/** A client connection whose pushes are ACKed (or not) as the test says. */
function client(uid: string, epoch = 1) {
  const pushed: PeerMessageEvent[] = [];
  const conn: FakeConn = {
    ack: true,
    closed: false,
    session: null,
    deliver: jest.fn(async (evt: number, data: unknown) => {
      expect(evt).toBe(Evt.PEER_MESSAGE);
      pushed.push(data as PeerMessageEvent);
      return conn.ack;
    }),
    // as Connection does it: deliver() is deliverThen() behind a Promise; here the other way round
    deliverThen: (evt, data, _timeoutMs, settle) => void conn.deliver(evt, data).then(settle),
  };
  const session = new Session(`s-${uid}` as SessionId, appId, uid as Uid, 'inst', 0, conn as never);
  session.epoch = epoch;
  conn.session = session;
  return { session, conn, pushed };
}

function setup() {
  /** What the receiver's gateway answers to a peer request: a PeerAck's bytes, or a string (no responder, timeout). */
  let answer: (subject: string, body: Uint8Array) => Promise<{ data: Uint8Array } | string> = async () => 'no-responders';
  const mux = { request: jest.fn((subject: string, body: Uint8Array) => answer(subject, body)) };
  const stored: { seq: number; msg: PeerMessageEvent }[] = [];
  let seq = 0;
  const offline = {
    store: jest.fn(async (req: { msg: PeerMessageEvent }) => void stored.push({ seq: ++seq, msg: req.msg })),
    fetch: jest.fn(async (req: { limit: number }) => stored.slice(0, req.limit)),
    remove: jest.fn(async (req: { seqs: number[] }) => {
      for (const s of req.seqs)
        stored.splice(
          stored.findIndex((m) => m.seq === s),
          1,
        );
    }),
  };
  // The history capture of @parley/delivery: stores what the sender asked for (no app stores all here).
  const history = {
    wants: jest.fn((_appId: string, asked?: boolean) => asked === true),
    peer: jest.fn(async (..._capture: unknown[]) => undefined),
  };
  const published: [string, unknown][] = [];
  const never = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined) }) };
  const bus = {
    connection: { status: () => never },
    publishEncoded: jest.fn((subject: string, bytes: Uint8Array) => void published.push([subject, codec.decode(bytes)])),
  };
  const sessions = { requireSession: (conn: { session: Session }) => conn.session, sessions: new Set<Session>() };
  // The real delivery (@parley/delivery) over the fake NATS: stores go to the offline store's subject.
  const services = { request: jest.fn(async (_subject: string, req: { msg: PeerMessageEvent }) => offline.store(req)) };
  const delivery = new PeerMessageDelivery(
    mux as unknown as RequestMux,
    bus as unknown as NatsBus,
    services as unknown as ServiceClient,
    { peer: () => undefined } as unknown as MessageCapture,
    history as unknown as HistoryCapture,
    new PeerRoutes(bus as unknown as NatsBus),
  );
  const sut = new PeerMessagesService(
    sessions as unknown as SessionsService,
    offline as unknown as OfflineClient,
    delivery,
    config,
    bus as unknown as NatsBus,
    { id: 'route-here' } as PeerRoute,
  );
  return { sut, mux, offline, stored, published, history, setAnswer: (a: typeof answer) => (answer = a) };
}

const text = (t: string) => ({ k: MessageKind.TEXT, text: t });
const acked = (r: 0 | 1) => ({ data: codec.encode({ r }) });

/** A peer request as the receiver's gateway gets it from NATS. */
function request(body: Uint8Array) {
  const replies: unknown[] = [];
  const msg = { subject: 'x', headers: undefined, respond: (b: Uint8Array) => replies.push(codec.decode(b)) } as unknown as Msg;
  const decoded = codec.decode(body) as [number, PeerMessageEvent];
  expect(decoded[0]).toBe(UserMsgKind.PEER_MESSAGE);
  return { msg, event: decoded[1], replies };
}

describe('PeerMessagesService', () => {
  afterEach(() => jest.useRealTimers());

  it('answers RECEIVED when the receiver gateway says its client ACKed, PEER_UNREACHABLE otherwise', async () => {
    const { sut, mux, setAnswer } = setup();
    const ann = client('ann');
    setAnswer(async () => acked(1));
    expect((await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('hi') })).d).toBe(PeerDelivery.RECEIVED);
    setAnswer(async () => acked(0));
    expect((await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm2', m: text('hi') })).d).toBe(PeerDelivery.PEER_UNREACHABLE);
    setAnswer(async () => 'timeout');
    expect((await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm3', m: text('hi') })).d).toBe(PeerDelivery.PEER_UNREACHABLE);
    expect(mux.request).toHaveBeenCalledTimes(3);
  });

  it('a send that fails at once is answered with its error and leaves nothing in flight: its resend is tried again', async () => {
    const { sut, mux, history, setAnswer } = setup();
    const ann = client('ann');
    setAnswer(async () => acked(1));
    history.wants.mockImplementationOnce(() => {
      throw new Error('NATS closed');
    });
    await expect(sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('hi') })).rejects.toThrow('NATS closed');
    expect(ann.session.inflight?.size ?? 0).toBe(0);
    expect((await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('hi') })).d).toBe(PeerDelivery.RECEIVED);
    expect(mux.request).toHaveBeenCalledTimes(1);
  });

  it('a resend of a message still on its way joins the first: one request, one answer', async () => {
    const { sut, mux, setAnswer } = setup();
    const ann = client('ann');
    let release!: () => void;
    setAnswer(() => new Promise((r) => (release = () => r(acked(1)))));
    const first = sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'same', m: text('hi') });
    const again = sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'same', m: text('hi') });
    expect(again).toBe(first);
    release();
    expect((await first).d).toBe(PeerDelivery.RECEIVED);
    expect(mux.request).toHaveBeenCalledTimes(1);
  });

  it('stores for an unreachable peer when asked: CACHED_BY_SERVER only after the store, then OFFLINE_STORED on its subject', async () => {
    const { sut, offline, stored, published } = setup();
    const ann = client('ann');
    const result = await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('later'), offline: true });
    expect(result.d).toBe(PeerDelivery.CACHED_BY_SERVER);
    expect(offline.store).toHaveBeenCalledTimes(1);
    expect(stored.map((s) => [s.msg.from, s.msg.id])).toEqual([['ann', 'm1']]);
    expect(published).toEqual([[expect.stringMatching(/\.user\.bob$/), [UserMsgKind.OFFLINE_STORED]]]);
  });

  it('keeps in the history only what the sender flagged (hist), and answers once the capture is durable', async () => {
    const { sut, history, setAnswer } = setup();
    const ann = client('ann');
    setAnswer(async () => acked(1));
    await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('plain') });
    expect(history.peer).not.toHaveBeenCalled();
    const result = await sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm2', m: text('keep'), hist: true });
    expect(result.d).toBe(PeerDelivery.RECEIVED);
    expect(history.peer).toHaveBeenCalledWith(appId, 'ann', 'bob', 'm2', result.ts, text('keep'));

    history.peer.mockRejectedValueOnce(Object.assign(new Error('history down'), { code: ErrorCode.UNAVAILABLE }));
    await expect(sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm3', m: text('lost?'), hist: true })).rejects.toThrow('history down');
  });

  it('a failed store is the sender’s error, never CACHED_BY_SERVER', async () => {
    const { sut, offline, published } = setup();
    offline.store.mockRejectedValueOnce(Object.assign(new Error('db down'), { code: ErrorCode.UNAVAILABLE }));
    const ann = client('ann');
    await expect(sut.send(ann.conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('x'), offline: true })).rejects.toThrow('db down');
    expect(published).toEqual([]);
  });

  it('pushes to the newest live session of the receiver and replies ACKED after its ACK; a duplicate is ACKED without a second push', async () => {
    const { sut, mux, setAnswer } = setup();
    const old = client('bob', 1);
    const bob = client('bob', 2);
    let sent!: Uint8Array;
    setAnswer(async (_s, body) => {
      sent = body;
      return acked(1);
    });
    await sut.send(client('ann').conn as unknown as Connection, { to: 'bob', id: 'm1', m: text('hi') });
    expect(mux.request).toHaveBeenCalledTimes(1);
    const first = request(sent);
    sut.receive(new Set([old.session, bob.session]), first.event, first.msg);
    await new Promise(setImmediate);
    expect(old.pushed).toEqual([]);
    expect(bob.pushed.map((e) => [e.from, e.id])).toEqual([['ann', 'm1']]);
    expect(first.replies).toEqual([{ r: 1, g: 'route-here' }]);

    const resent = request(sent);
    sut.receive(new Set([bob.session]), resent.event, resent.msg);
    await new Promise(setImmediate);
    expect(bob.pushed).toHaveLength(1);
    expect(resent.replies).toEqual([{ r: 1, g: 'route-here' }]);
  });

  it('replies NOT_ACKED when the client did not ACK (and pushes it again on a resend), or when no session is live', async () => {
    const { sut } = setup();
    const bob = client('bob');
    bob.conn.ack = false;
    const body = codec.encode([UserMsgKind.PEER_MESSAGE, { from: 'ann', id: 'm1', m: text('hi'), ts: 1 }]);
    const first = request(body);
    sut.receive(new Set([bob.session]), first.event, first.msg);
    await new Promise(setImmediate);
    expect(first.replies).toEqual([{ r: 0, g: 'route-here' }]);
    bob.conn.ack = true;
    const again = request(body);
    sut.receive(new Set([bob.session]), again.event, again.msg);
    await new Promise(setImmediate);
    expect(again.replies).toEqual([{ r: 1, g: 'route-here' }]);
    expect(bob.pushed).toHaveLength(2);

    const nobody = request(body);
    bob.session.ended = true;
    sut.receive(new Set([bob.session]), nobody.event, nobody.msg);
    expect(nobody.replies).toEqual([{ r: 0, g: 'route-here' }]);
  });

  it('answers routed messages (another gateway’s route batch) like user-subject ones, NOT_HERE without a live session', async () => {
    const { sut } = setup();
    const bob = client('bob');
    const e = { from: 'ann', id: 'r1', m: text('hi'), ts: 1 };
    /** The answers a routed message got: synchronously, then after the client's ACK settled. */
    const routed = async (targets: Set<Session>, event: PeerMessageEvent) => {
      const answers: PeerRouteCode[] = [];
      sut.receiveRouted(targets, event, (code) => answers.push(code));
      const now = [...answers];
      await new Promise(setImmediate);
      return { now, all: answers };
    };
    expect(await routed(new Set([bob.session]), e)).toEqual({ now: [], all: [PeerRouteCode.ACKED] });
    expect(await routed(new Set([bob.session]), e)).toEqual({ now: [PeerRouteCode.ACKED], all: [PeerRouteCode.ACKED] }); // a resend: not pushed again
    expect(bob.pushed).toHaveLength(1);
    bob.conn.ack = false;
    expect(await routed(new Set([bob.session]), { ...e, id: 'r2' })).toEqual({ now: [], all: [PeerRouteCode.NOT_ACKED] });
    expect(await routed(new Set(), e)).toEqual({ now: [PeerRouteCode.NOT_HERE], all: [PeerRouteCode.NOT_HERE] });
    bob.session.conn = null; // detached (inside its reconnect window): not here for a route
    expect(await routed(new Set([bob.session]), e)).toEqual({ now: [PeerRouteCode.NOT_HERE], all: [PeerRouteCode.NOT_HERE] });
  });

  it('flushes stored messages in order in batches, removes what was ACKed, and stops at the first miss', async () => {
    const { sut, stored, offline } = setup();
    for (let i = 1; i <= 5; i++) stored.push({ seq: i, msg: { from: 'ann', id: `m${i}`, m: text(`${i}`), ts: i } });
    const bob = client('bob');
    bob.conn.deliver.mockImplementation(async (_evt: number, data: unknown) => {
      bob.pushed.push(data as PeerMessageEvent);
      return (data as PeerMessageEvent).id !== 'm4';
    });
    await sut.flush(bob.session);
    expect(bob.pushed.map((e) => e.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(offline.remove.mock.calls.map(([r]) => r.seqs)).toEqual([[1, 2], [3]]);
    expect(stored.map((s) => s.seq)).toEqual([4, 5]);

    // the next flush (the next login, an OFFLINE_STORED notice) starts again at the miss
    bob.conn.deliver.mockImplementation(async (_evt: number, data: unknown) => {
      bob.pushed.push(data as PeerMessageEvent);
      return true;
    });
    sut.stored(new Set([bob.session]));
    await sut.flush(bob.session);
    expect(bob.pushed.map((e) => e.id).slice(4)).toEqual(['m4', 'm5']);
    expect(stored).toEqual([]);
  });

  it('asks the store at login only when presence saw stored messages', async () => {
    const { sut, offline, stored } = setup();
    const bob = client('bob');
    sut.flushAtLogin(bob.session, false);
    await new Promise(setImmediate);
    expect(offline.fetch).not.toHaveBeenCalled();

    stored.push({ seq: 1, msg: { from: 'ann', id: 'm1', m: text('1'), ts: 1 } });
    const cy = client('cy');
    sut.flushAtLogin(cy.session, true);
    await new Promise(setImmediate);
    expect(offline.fetch).toHaveBeenCalledTimes(1);
    expect(cy.pushed.map((e) => e.id)).toEqual(['m1']);
  });

  it('keeps an OFFLINE_STORED notice heard while the login was registering for its login flush', async () => {
    const { sut, offline, stored } = setup();
    const bob = client('bob');
    bob.session.epoch = null; // registering: presence looked before the store committed
    stored.push({ seq: 1, msg: { from: 'ann', id: 'm1', m: text('1'), ts: 1 } });
    sut.stored(new Set([bob.session]));
    expect(offline.fetch).not.toHaveBeenCalled();
    bob.session.epoch = 5;
    sut.flushAtLogin(bob.session, false);
    await new Promise(setImmediate);
    expect(bob.pushed.map((e) => e.id)).toEqual(['m1']);

    sut.flushAtLogin(bob.session, false); // the notice counts once
    await new Promise(setImmediate);
    expect(offline.fetch).toHaveBeenCalledTimes(1);
  });
});
