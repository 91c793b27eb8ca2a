import { createCodec, MessageKind, type AppId, type PeerMessageEvent } from '@parley/contracts';
import { PeerRouteCode, Subjects } from '@parley/contracts/internal';
import type { NatsBus } from '@parley/platform';
import { PeerRoutes } from './peer-routes';

const codec = createCodec();
const app = 'a'.repeat(32) as AppId;
const event = (id: string): PeerMessageEvent => ({ from: 'ann', id, m: { k: MessageKind.TEXT, text: id }, ts: 1 });
const turn = () => new Promise((r) => setImmediate(r));
/** sendThen's answer as a Promise. */
const send = (routes: PeerRoutes, route: string, uid: string, e: PeerMessageEvent) =>
  new Promise<PeerRouteCode>((settle) => routes.sendThen(route, app, uid, e, 1000, settle));

/** A NATS connection that records publishes and lets the test answer on the subscription. */
function fakeBus() {
  const published: { subject: string; body: unknown[]; reply?: string }[] = [];
  let deliver!: (subject: string, data: Uint8Array, code?: number) => void;
  const connection = {
    publish: jest.fn(
      (subject: string, data: Uint8Array, opts?: { reply?: string }) =>
        void published.push({ subject, body: codec.decode(data) as unknown[], reply: opts?.reply }),
    ),
    subscribe: jest.fn((_subject: string, opts: { callback: (err: unknown, msg: unknown) => void }) => {
      deliver = (subject, data, code) => opts.callback(null, { subject, data, headers: code ? { code } : undefined });
      return { unsubscribe: jest.fn() };
    }),
  };
  const bus = { connection, unsubscribe: jest.fn() } as unknown as NatsBus;
  return { bus, published, reply: (subject: string, data: Uint8Array, code?: number) => deliver(subject, data, code) };
}

describe('PeerRoutes', () => {
  it('remembers, replaces and forgets routes per app and uid', () => {
    const routes = new PeerRoutes(fakeBus().bus);
    expect(routes.get(app, 'bob')).toBeUndefined();
    routes.learn(app, 'bob', 'g1');
    expect(routes.get(app, 'bob')).toBe('g1');
    expect(routes.get('b'.repeat(32) as AppId, 'bob')).toBeUndefined();
    routes.forget(app, 'bob', 'g2'); // not the one remembered: kept
    expect(routes.get(app, 'bob')).toBe('g1');
    routes.forget(app, 'bob', 'g1');
    expect(routes.get(app, 'bob')).toBeUndefined();
  });

  it('sends the messages of one turn for one gateway as one batch and settles each by its answer', async () => {
    const { bus, published, reply } = fakeBus();
    const routes = new PeerRoutes(bus);
    const a = send(routes, 'g1', 'bob', event('m1'));
    const b = send(routes, 'g1', 'cat', event('m2'));
    const c = send(routes, 'g2', 'dan', event('m3'));
    expect(published).toHaveLength(0); // not before the end of the turn
    await turn();
    expect(published.map((p) => p.subject)).toEqual([Subjects.peerRoute('g1'), Subjects.peerRoute('g2')]);
    const [first] = published;
    const ackSubject = first!.body[0] as string;
    expect(ackSubject).toMatch(/^_INBOX\.[A-Za-z0-9]+\.a$/);
    expect(first!.body.slice(1)).toEqual([
      [1, app, 'bob', event('m1')],
      [2, app, 'cat', event('m2')],
    ]);
    reply(ackSubject, codec.encode([2, PeerRouteCode.NOT_ACKED, 1, PeerRouteCode.ACKED, 3, PeerRouteCode.NOT_HERE]));
    await expect(a).resolves.toBe(PeerRouteCode.ACKED);
    await expect(b).resolves.toBe(PeerRouteCode.NOT_ACKED);
    await expect(c).resolves.toBe(PeerRouteCode.NOT_HERE);
  });

  it('forgets a batch with its last settled item; a no-responders status then answers only what is still open', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { bus, published, reply } = fakeBus();
      const routes = new PeerRoutes(bus);
      const remembered = () => (routes as unknown as { batches: Map<number, unknown> }).batches.size;
      const a = send(routes, 'g1', 'bob', event('m1'));
      const b = send(routes, 'g1', 'cat', event('m2'));
      await turn();
      const c = send(routes, 'g1', 'dan', event('m3')); // the next turn's batch
      const d = send(routes, 'g1', 'eve', event('m4'));
      await turn();
      expect(published).toHaveLength(2);
      expect(remembered()).toBe(2);
      const ackSubject = published[0]!.body[0] as string;
      reply(ackSubject, codec.encode([1, PeerRouteCode.ACKED, 3, PeerRouteCode.ACKED]));
      await expect(a).resolves.toBe(PeerRouteCode.ACKED);
      expect(remembered()).toBe(2); // m2 and m4 are still open
      reply(ackSubject, codec.encode([2, PeerRouteCode.NOT_ACKED]));
      await expect(b).resolves.toBe(PeerRouteCode.NOT_ACKED);
      expect(remembered()).toBe(1); // the first batch is done
      reply(published[0]!.reply!, new Uint8Array(), 503); // names a forgotten batch: nothing happens
      reply(published[1]!.reply!, new Uint8Array(), 503);
      await expect(c).resolves.toBe(PeerRouteCode.ACKED);
      await expect(d).resolves.toBe(PeerRouteCode.NOT_HERE);
      expect(remembered()).toBe(0);
      // A timed-out item closes its batch too.
      const e = send(routes, 'g1', 'fay', event('m5'));
      await turn();
      expect(remembered()).toBe(1);
      jest.advanceTimersByTime(1_200);
      await expect(e).resolves.toBe(PeerRouteCode.TIMED_OUT);
      expect(remembered()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers NOT_HERE for a whole batch nobody serves (NATS no-responders) and TIMED_OUT when no answer comes', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { bus, published, reply } = fakeBus();
      const routes = new PeerRoutes(bus);
      const gone = [send(routes, 'dead', 'bob', event('m1')), send(routes, 'dead', 'cat', event('m2'))];
      const slow = send(routes, 'slow', 'dan', event('m3'));
      await turn();
      const dead = published.find((p) => p.subject === Subjects.peerRoute('dead'))!;
      reply(dead.reply!, new Uint8Array(), 503);
      await expect(Promise.all(gone)).resolves.toEqual([PeerRouteCode.NOT_HERE, PeerRouteCode.NOT_HERE]);
      jest.advanceTimersByTime(1_200);
      await expect(slow).resolves.toBe(PeerRouteCode.TIMED_OUT);
      // A late answer changes nothing; garbage on the ACK subject is ignored.
      reply(published[0]!.body[0] as string, codec.encode([3, PeerRouteCode.ACKED]));
      reply(published[0]!.body[0] as string, Uint8Array.of(0xc1));
      routes.onApplicationShutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('calls a sendThen callback once, never before it returned, and a throwing one leaves the rest of its batch settled', async () => {
    const { bus, published, reply } = fakeBus();
    const routes = new PeerRoutes(bus);
    const settled: [string, PeerRouteCode][] = [];
    routes.sendThen('g1', app, 'bob', event('m1'), 1000, () => {
      throw new Error('handler bug');
    });
    routes.sendThen('g1', app, 'cat', event('m2'), 1000, (code) => settled.push(['m2', code]));
    expect(settled).toEqual([]);
    await turn();
    const ackSubject = published[0]!.body[0] as string;
    reply(ackSubject, codec.encode([1, PeerRouteCode.ACKED, 2, PeerRouteCode.ACKED]));
    reply(ackSubject, codec.encode([2, PeerRouteCode.NOT_ACKED])); // a second answer for the same item: ignored
    expect(settled).toEqual([['m2', PeerRouteCode.ACKED]]);
  });

  it('starts another batch before one passes the size cap', async () => {
    const { bus, published, reply } = fakeBus();
    const routes = new PeerRoutes(bus);
    const big = (id: string): PeerMessageEvent => ({ ...event(id), m: { k: MessageKind.TEXT, text: 'x'.repeat(30_000) } });
    const sent = Array.from({ length: 20 }, (_, i) => send(routes, 'g1', 'bob', big(`m${i}`)));
    await turn();
    expect(published.length).toBeGreaterThan(2);
    for (const p of published) expect(codec.encode(p.body).length).toBeLessThanOrEqual(256 * 1024 + 64);
    expect(published.flatMap((p) => p.body.slice(1).map((item) => (item as unknown[])[0]))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    reply(published[0]!.body[0] as string, codec.encode(Array.from({ length: 20 }, (_, i) => [i + 1, PeerRouteCode.ACKED]).flat()));
    await expect(Promise.all(sent)).resolves.toEqual(Array(20).fill(PeerRouteCode.ACKED));
  });
});
