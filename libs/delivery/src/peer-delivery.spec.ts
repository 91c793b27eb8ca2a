import { createCodec, MessageKind, PeerDelivery, type AppId, type PeerMessageEvent } from '@parley/contracts';
import { UserMsgKind } from '@parley/contracts/internal';
import type { NatsBus, RequestMux, ServiceClient } from '@parley/platform';
import { checkMessageBody, requireMessageId } from './message-rules';
import { PeerMessageDelivery } from './peer-delivery';

const codec = createCodec();
const event: PeerMessageEvent = { from: 'api', id: 'm1', m: { k: MessageKind.TEXT, text: 'hi' }, ts: 1 };
const send = (offline: boolean) => ({ appId: 'a'.repeat(32) as AppId, to: 'bob', event, offline, timeoutMs: 1000 });

function setup(outcome: () => Promise<{ data: Uint8Array } | string>) {
  const mux = { request: jest.fn(outcome) };
  const published: unknown[] = [];
  let flushed!: () => void;
  const bus = {
    publishEncoded: jest.fn((_s: string, bytes: Uint8Array) => void published.push(codec.decode(bytes))),
    flush: jest.fn(() => new Promise<void>((resolve) => (flushed = resolve))),
  };
  const services = { request: jest.fn(async () => null) };
  const sut = new PeerMessageDelivery(mux as unknown as RequestMux, bus as unknown as NatsBus, services as unknown as ServiceClient);
  return { sut, mux, bus, services, published, flush: () => flushed() };
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

describe('message rules', () => {
  it('checks ids and bodies the same for every sender', () => {
    expect(requireMessageId('x')).toBe('x');
    expect(() => requireMessageId('')).toThrow();
    expect(() => requireMessageId('x'.repeat(129))).toThrow();
    expect(() => checkMessageBody({ k: MessageKind.TEXT, text: 'x'.repeat(11) }, 10)).toThrow(/over 10 bytes/);
    expect(() => checkMessageBody({ k: 99 }, 10)).toThrow(/malformed/);
    expect(() => checkMessageBody({ k: MessageKind.TEXT, text: 'ok' }, 10)).not.toThrow();
  });
});
