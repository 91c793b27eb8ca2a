import { createCodec, MessageKind, type PeerMessageEvent } from '@parley/contracts';
import { PeerRouteCode, Subjects } from '@parley/contracts/internal';
import type { NatsBus } from '@parley/platform';
import { PeerRoute } from './peer-route';

const codec = createCodec();
const event = (id: string): PeerMessageEvent => ({ from: 'ann', id, m: { k: MessageKind.TEXT, text: id }, ts: 1 });
const turn = () => new Promise((r) => setImmediate(r));
const ACKS = '_INBOX.abcDEF123.a';

function setup() {
  const published: [string, unknown][] = [];
  let onBatch!: (body: unknown) => void;
  const bus = {
    subscribe: jest.fn((_subject: string, handler: (body: unknown) => void) => ((onBatch = handler), {})),
    unsubscribe: jest.fn(),
    publishEncoded: jest.fn((subject: string, bytes: Uint8Array) => void published.push([subject, codec.decode(bytes)])),
  };
  const route = new PeerRoute(bus as unknown as NatsBus);
  route.onApplicationBootstrap();
  return { route, bus, published, batch: (body: unknown) => onBatch(body) };
}

describe('PeerRoute', () => {
  it('subscribes its own subject, hands every item to the handler and answers a turn’s items in one message', async () => {
    const { route, bus, published, batch } = setup();
    expect(bus.subscribe).toHaveBeenCalledWith(Subjects.peerRoute(route.id), expect.any(Function));
    let ack!: (code: PeerRouteCode) => void;
    const seen: string[] = [];
    route.route((appId, uid, e, answer) => {
      seen.push(`${appId}/${uid}/${e.id}`);
      if (uid === 'bob') ack = answer;
      else answer(uid === 'cat' ? PeerRouteCode.ACKED : PeerRouteCode.NOT_HERE);
    });
    batch([ACKS, [1, 'app', 'bob', event('m1')], [2, 'app', 'cat', event('m2')], [3, 'app', 'dan', event('m3')]]);
    expect(seen).toEqual(['app/bob/m1', 'app/cat/m2', 'app/dan/m3']);
    await turn();
    expect(published).toEqual([[ACKS, [2, PeerRouteCode.ACKED, 3, PeerRouteCode.NOT_HERE]]]);
    ack(PeerRouteCode.ACKED);
    await turn();
    expect(published[1]).toEqual([ACKS, [1, PeerRouteCode.ACKED]]);
  });

  it('answers NOT_ACKED for an item whose handler throws and goes on with the rest of the batch', async () => {
    const { route, published, batch } = setup();
    route.route((_appId, uid, _e, answer) => {
      if (uid === 'bad') throw new Error('boom');
      answer(PeerRouteCode.ACKED);
    });
    batch([ACKS, [1, 'app', 'bad', event('m1')], [2, 'app', 'bob', event('m2')]]);
    await turn();
    expect(published).toEqual([[ACKS, [1, PeerRouteCode.NOT_ACKED, 2, PeerRouteCode.ACKED]]]);
  });

  it('drops batches whose ACK subject is not an inbox and items that are malformed', async () => {
    const { route, published, batch } = setup();
    const handler = jest.fn((_a: string, _u: string, _e: PeerMessageEvent, answer: (code: PeerRouteCode) => void) => answer(PeerRouteCode.ACKED));
    route.route(handler);
    batch(['parley.app.user.bob', [1, 'app', 'bob', event('m1')]]);
    batch(null);
    batch([ACKS, 'x', [1, 'app'], ['1', 'app', 'bob', event('m1')], [2, 'app', 'bob', { id: 'no-from' }], [3, 'app', 'bob', event('ok')]]);
    await turn();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(published).toEqual([[ACKS, [3, PeerRouteCode.ACKED]]]);
  });
});
