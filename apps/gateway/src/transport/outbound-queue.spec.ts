import { createCodec, ErrorCode, Frame } from '@parley/contracts';
import type { WebSocket } from 'ws';
import type { GatewayConfig } from '../config/gateway.config';
import { Connection } from './connection';
import { OutboundQueue } from './outbound-queue';

const codec = createCodec();

function setup() {
  const sent: Uint8Array[] = [];
  const socket = { readyState: 1, bufferedAmount: 0, send: (b: Uint8Array) => sent.push(b), close: jest.fn(), terminate: jest.fn() };
  const sut = new OutboundQueue({ MAX_SEND_BUFFER_BYTES: 1 << 20 } as GatewayConfig);
  const conn = new Connection(socket as unknown as WebSocket, sut);
  return { sut, conn, sent, socket };
}

/** A value msgpackr cannot encode (it recurses until the stack overflows). */
function cyclic(): unknown {
  const v: { self?: unknown } = {};
  v.self = v;
  return v;
}

describe('OutboundQueue', () => {
  it('sends frames queued in one turn as one BATCH message', async () => {
    const { conn, sent } = setup();
    conn.reply(1, 'a');
    conn.event(20, { x: 1 });
    await new Promise((r) => setImmediate(r));
    expect(sent.map((b) => codec.decode(b))).toEqual([[Frame.BATCH, [Frame.RES, 1, 0, 'a'], [Frame.EVT, 20, { x: 1 }]]]);
  });

  it('writes a BATCH of more than 65,535 frames with a 32-bit array header', async () => {
    const { conn, sent } = setup();
    for (let i = 0; i < 70_000; i++) conn.send([Frame.PONG, i]);
    await new Promise((r) => setImmediate(r));
    const batch = codec.decode(sent[0]!) as unknown[];
    expect(batch.length).toBe(70_001);
    expect(batch[70_000]).toEqual([Frame.PONG, 69_999]);
  });

  it.each([
    [14, [0x9f, Frame.BATCH]],
    [15, [0xdc, 0, 16, Frame.BATCH]],
  ])('writes a BATCH of %i frames with the array header for one more item', async (count, head) => {
    const { conn, sent } = setup();
    for (let i = 0; i < count; i++) conn.send([Frame.PONG, i]);
    await new Promise((r) => setImmediate(r));
    expect([...sent[0]!.subarray(0, head.length)]).toEqual(head);
    expect(codec.decode(sent[0]!)).toEqual([Frame.BATCH, ...Array.from({ length: count }, (_, i) => [Frame.PONG, i])]);
  });

  it('writes a BATCH of 16 to 65,535 frames with a 16-bit array header, and a lone frame left of a batch as itself', async () => {
    const { conn, sent } = setup();
    for (let i = 0; i < 20; i++) conn.send([Frame.PONG, i]);
    await new Promise((r) => setImmediate(r));
    expect(sent[0]!.subarray(0, 4)).toEqual(Uint8Array.of(0xdc, 0, 21, Frame.BATCH));
    expect(codec.decode(sent[0]!)).toEqual([Frame.BATCH, ...Array.from({ length: 20 }, (_, i) => [Frame.PONG, i])]);
    conn.event(20, cyclic()); // dropped: what is left is one frame
    conn.reply(9, 'alone');
    await new Promise((r) => setImmediate(r));
    expect(codec.decode(sent[1]!)).toEqual([Frame.RES, 9, 0, 'alone']);
  });

  it('drops a frame it cannot encode, answers a response with UNKNOWN instead, and sends the rest', async () => {
    const { conn, sent, socket } = setup();
    conn.event(20, cyclic());
    conn.reply(7, cyclic());
    conn.reply(8, 'fine');
    await new Promise((r) => setImmediate(r));
    expect(sent.map((b) => codec.decode(b))).toEqual([
      [Frame.BATCH, [Frame.RES, 7, ErrorCode.UNKNOWN, { message: 'internal error' }], [Frame.RES, 8, 0, 'fine']],
    ]);
    expect(socket.terminate).not.toHaveBeenCalled();
  });

  it('keeps flushing other connections when one socket throws', async () => {
    const a = setup();
    const b = setup();
    a.socket.send = () => {
      throw new Error('socket exploded');
    };
    // Both connections on one queue: reuse a's queue for b's connection.
    const conn2 = new Connection(b.socket as unknown as WebSocket, a.sut);
    a.conn.reply(1, 'x');
    conn2.reply(2, 'y');
    await new Promise((r) => setImmediate(r));
    expect(a.socket.terminate).toHaveBeenCalled();
    expect(b.sent.map((x) => codec.decode(x))).toEqual([[Frame.RES, 2, 0, 'y']]);
  });
});
