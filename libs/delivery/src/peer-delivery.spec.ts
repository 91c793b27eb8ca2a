import { createCodec, ErrorCode, MessageKind, ParleyError, PeerDelivery, type AppId, type PeerMessageEvent } from '@parley/contracts';
import { PeerRouteCode, Subjects, UserMsgKind } from '@parley/contracts/internal';
import type { NatsBus, RequestMux, ServiceClient } from '@parley/platform';
import type { HistoryCapture } from './history-capture';
import type { MessageCapture } from './message-capture';
import { checkMessageBody, requireMessageId } from './message-rules';
import { PeerMessageDelivery } from './peer-delivery';
import { PeerRoutes } from './peer-routes';

const codec = createCodec();
const event: PeerMessageEvent = { from: 'api', id: 'm1', m: { k: MessageKind.TEXT, text: 'hi' }, ts: 1 };
const send = (offline: boolean) => ({ appId: 'a'.repeat(32) as AppId, to: 'bob', event, offline, timeoutMs: 1000 });

function setup(outcome: () => Promise<{ data: Uint8Array } | string>, stored: () => Promise<void> = async () => undefined) {
  const mux = { request: jest.fn(outcome) };
  const published: unknown[] = [];
  let flushed!: () => void;
  // The route batches (PeerRoutes) go through the connection; the test answers them with `routeReply`.
  const routed: { subject: string; body: unknown[] }[] = [];
  let routeReply!: (subject: string, data: Uint8Array) => void;
  const connection = {
    publish: jest.fn((subject: string, data: Uint8Array) => void routed.push({ subject, body: codec.decode(data) as unknown[] })),
    subscribe: jest.fn((_s: string, opts: { callback: (err: unknown, msg: unknown) => void }) => {
      routeReply = (subject, data) => opts.callback(null, { subject, data });
      return { unsubscribe: jest.fn() };
    }),
  };
  const bus = {
    connection,
    publishEncoded: jest.fn((_s: string, bytes: Uint8Array) => void published.push(codec.decode(bytes))),
    flush: jest.fn(() => new Promise<void>((resolve) => (flushed = resolve))),
  };
  const services = { request: jest.fn(async () => null) };
  const capture = { peer: jest.fn() };
  const history = { wants: jest.fn((_app: string, asked?: boolean) => asked === true), peer: jest.fn(stored) };
  const sut = new PeerMessageDelivery(
    mux as unknown as RequestMux,
    bus as unknown as NatsBus,
    services as unknown as ServiceClient,
    capture as unknown as MessageCapture,
    history as unknown as HistoryCapture,
    new PeerRoutes(bus as unknown as NatsBus),
  );
  return { sut, mux, bus, services, capture, history, published, routed, routeReply: (s: string, d: Uint8Array) => routeReply(s, d), flush: () => flushed() };
}

describe('PeerMessageDelivery', () => {
  it('answers RECEIVED when the receiver’s gateway ACKs, PEER_UNREACHABLE otherwise, and stores only when asked', async () => {
    const acked = setup(async () => ({ data: codec.encode({ r: 1 }) }));
    expect(await acked.sut.deliver(send(true))).toEqual({ d: PeerDelivery.RECEIVED, ts: 1 });
    expect(acked.services.request).not.toHaveBeenCalled();

    const nobody = setup(async () => 'no-responders');
    expect(await nobody.sut.deliver(send(false))).toEqual({ d: PeerDelivery.PEER_UNREACHABLE, ts: 1 });
    expect(nobody.services.request).not.toHaveBeenCalled();

    // Stored, then announced on the receiver's user subject so a session logging in meanwhile flushes it.
    const stored = setup(async () => ({ data: codec.encode({ r: 0 }) }));
    expect(await stored.sut.deliver(send(true))).toEqual({ d: PeerDelivery.CACHED_BY_SERVER, ts: 1 });
    expect(stored.services.request).toHaveBeenCalledTimes(1);
    expect(stored.published).toEqual([[UserMsgKind.OFFLINE_STORED]]);
  });

  it('hands accepted messages (ACKed or stored) to the capture, after the outcome, and nothing else', async () => {
    const acked = setup(async () => ({ data: codec.encode({ r: 1 }) }));
    await acked.sut.deliver(send(false));
    expect(acked.capture.peer).toHaveBeenCalledWith(send(false).appId, 'api', 'bob', 'm1', 1, event.m, 'received');

    const stored = setup(async () => 'no-responders');
    await stored.sut.deliver(send(true));
    expect(stored.capture.peer).toHaveBeenCalledWith(send(true).appId, 'api', 'bob', 'm1', 1, event.m, 'cached');
    expect(stored.capture.peer.mock.invocationCallOrder[0]).toBeGreaterThan(stored.services.request.mock.invocationCallOrder[0]!);

    const unreachable = setup(async () => 'no-responders');
    await unreachable.sut.deliver(send(false));
    expect(unreachable.capture.peer).not.toHaveBeenCalled();
  });

  it('tells `routed` after one flush: false when NATS said no responders before the PONG, true otherwise', async () => {
    const nobody = setup(async () => 'no-responders');
    const a = nobody.sut.start(send(false));
    await Promise.resolve();
    nobody.flush();
    expect(await a.routed).toBe(false);
    expect(await a.result).toMatchObject({ d: PeerDelivery.PEER_UNREACHABLE });

    let answer!: (v: { data: Uint8Array }) => void;
    const held = setup(() => new Promise((resolve) => (answer = resolve)));
    const b = held.sut.start(send(false));
    held.flush();
    expect(await b.routed).toBe(true); // a gateway took it; its client has not ACKed yet
    answer({ data: codec.encode({ r: 1 }) });
    expect(await b.result).toMatchObject({ d: PeerDelivery.RECEIVED });
  });
});

/** Route ids as gateways make them (PeerRoute: 16 hex chars). */
const GW1 = 'a1'.repeat(8);
const GW2 = 'b2'.repeat(8);

describe('PeerMessageDelivery over routes', () => {
  it('learns no route from an ACK whose route id is not one a gateway makes', async () => {
    const t = setup(async () => ({ data: codec.encode({ r: 1, g: 'x.>' }) }));
    await t.sut.deliver(send(false));
    await t.sut.deliver(send(false));
    expect(t.mux.request).toHaveBeenCalledTimes(2);
    expect(t.routed).toHaveLength(0);
  });

  it('learns the route from an ACK, sends later messages over it, and falls back to the user subject when it does not hold', async () => {
    const t = setup(async () => ({ data: codec.encode({ r: 1, g: GW1 }) }));
    expect(await t.sut.deliver(send(false))).toEqual({ d: PeerDelivery.RECEIVED, ts: 1 });
    expect(t.mux.request).toHaveBeenCalledTimes(1);

    // The next one goes to gw1's route subject, batched, and is settled by its answer.
    const second = t.sut.deliver(send(false));
    await new Promise((r) => setImmediate(r));
    expect(t.mux.request).toHaveBeenCalledTimes(1);
    expect(t.routed).toHaveLength(1);
    expect(t.routed[0]!.subject).toBe(Subjects.peerRoute(GW1));
    const ackSubject = t.routed[0]!.body[0] as string;
    const [[id, appId, to]] = t.routed[0]!.body.slice(1) as [[number, string, string]];
    expect([appId, to]).toEqual([send(false).appId, 'bob']);
    t.routeReply(ackSubject, codec.encode([id, PeerRouteCode.ACKED]));
    expect(await second).toEqual({ d: PeerDelivery.RECEIVED, ts: 1 });
    expect(t.capture.peer).toHaveBeenCalledTimes(2);

    // gw1 no longer holds bob: the message goes on bob's user subject, and the route is forgotten
    // (then learnt again from that answer).
    t.mux.request.mockImplementation(async () => ({ data: codec.encode({ r: 1, g: GW2 }) }));
    const third = t.sut.deliver(send(false));
    await new Promise((r) => setImmediate(r));
    const [[id3]] = t.routed[1]!.body.slice(1) as [[number]];
    t.routeReply(ackSubject, codec.encode([id3, PeerRouteCode.NOT_HERE]));
    expect(await third).toEqual({ d: PeerDelivery.RECEIVED, ts: 1 });
    expect(t.mux.request).toHaveBeenCalledTimes(2);

    // NOT_ACKED over the route (the session did not ACK in time) is the same outcome as on the user subject.
    const fourth = t.sut.deliver(send(true));
    await new Promise((r) => setImmediate(r));
    expect(t.routed[2]!.subject).toBe(Subjects.peerRoute(GW2));
    const [[id4]] = t.routed[2]!.body.slice(1) as [[number]];
    t.routeReply(t.routed[2]!.body[0] as string, codec.encode([id4, PeerRouteCode.NOT_ACKED]));
    expect(await fourth).toEqual({ d: PeerDelivery.CACHED_BY_SERVER, ts: 1 });
    expect(t.services.request).toHaveBeenCalledTimes(1);
  });
});

describe('PeerMessageDelivery.deliverThen', () => {
  it('calls back once, never before it returned, and rejects what throws after a route ACK', async () => {
    const t = setup(async () => ({ data: codec.encode({ r: 1, g: GW1 }) }));
    const calls: unknown[] = [];
    t.sut.deliverThen(
      send(false),
      (r) => calls.push(r),
      (err) => calls.push(err),
    );
    expect(calls).toEqual([]); // over the user subject: answered later
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([{ d: PeerDelivery.RECEIVED, ts: 1 }]);

    // Over the route now; the capture throws after the ACK: the send fails (it does not hang).
    t.capture.peer.mockImplementation(() => {
      throw new Error('capture bug');
    });
    t.sut.deliverThen(
      send(false),
      (r) => calls.push(r),
      (err) => calls.push((err as Error).message),
    );
    expect(calls).toHaveLength(1);
    await new Promise((r) => setImmediate(r));
    const [[id]] = t.routed[0]!.body.slice(1) as [[number]];
    t.routeReply(t.routed[0]!.body[0] as string, codec.encode([id, PeerRouteCode.ACKED]));
    expect(calls).toEqual([{ d: PeerDelivery.RECEIVED, ts: 1 }, 'capture bug']);
  });
});

describe('PeerMessageDelivery after a route answer', () => {
  it('fails the send when the way back to the user subject throws at once (it does not hang)', async () => {
    const t = setup(async () => ({ data: codec.encode({ r: 1, g: GW1 }) }));
    await t.sut.deliver(send(false)); // learns the route
    const calls: unknown[] = [];
    t.sut.deliverThen(
      send(false),
      (r) => calls.push(r),
      (err) => calls.push((err as Error).message),
    );
    await new Promise((r) => setImmediate(r));
    t.mux.request.mockImplementationOnce(() => {
      throw new Error('NATS closed');
    });
    const [[id]] = t.routed[0]!.body.slice(1) as [[number]];
    t.routeReply(t.routed[0]!.body[0] as string, codec.encode([id, PeerRouteCode.NOT_HERE]));
    expect(calls).toEqual(['NATS closed']);
  });
});

describe('message rules', () => {
  it('captures for the history alongside the delivery only when asked, and answers only once both are done', async () => {
    const plain = setup(async () => ({ data: codec.encode({ r: 1 }) }));
    await plain.sut.deliver(send(false));
    expect(plain.history.peer).not.toHaveBeenCalled();

    let store!: () => void;
    const slow = setup(
      async () => ({ data: codec.encode({ r: 1 }) }),
      () => new Promise<void>((resolve) => (store = resolve)),
    );
    let answered = false;
    const result = slow.sut.deliver({ ...send(false), history: true }).then((r) => ((answered = true), r));
    expect(slow.mux.request).toHaveBeenCalledTimes(1); // not waiting for the capture to deliver
    expect(slow.history.peer).toHaveBeenCalledWith('a'.repeat(32), 'api', 'bob', 'm1', 1, event.m);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    store();
    expect(await result).toEqual({ d: PeerDelivery.RECEIVED, ts: 1 });

    const failed = setup(
      async () => ({ data: codec.encode({ r: 1 }) }),
      async () => Promise.reject(new ParleyError(ErrorCode.UNAVAILABLE, 'down')),
    );
    await expect(failed.sut.deliver({ ...send(false), history: true })).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    const started = failed.sut.start({ ...send(false), history: true });
    failed.flush();
    await expect(started.routed).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(started.result).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });

  it('checks ids and bodies the same for every sender', () => {
    expect(requireMessageId('x')).toBe('x');
    expect(() => requireMessageId('')).toThrow();
    expect(() => requireMessageId('x'.repeat(129))).toThrow();
    expect(() => checkMessageBody({ k: MessageKind.TEXT, text: 'x'.repeat(11) }, 10)).toThrow(/over 10 bytes/);
    expect(() => checkMessageBody({ k: 99 }, 10)).toThrow(/malformed/);
    expect(() => checkMessageBody({ k: MessageKind.TEXT, text: 'ok' }, 10)).not.toThrow();
  });
});
