import { Logger } from '@nestjs/common';
import { createCodec, Evt, Frame } from '@parley/contracts';
import type { WebSocket } from 'ws';
import type { GatewayConfig } from '../config/gateway.config';
import { Connection } from './connection';
import { OutboundQueue } from './outbound-queue';

const codec = createCodec();

function setup() {
  const sent: unknown[] = [];
  const socket = { readyState: 1, bufferedAmount: 0, send: (b: Uint8Array) => sent.push(codec.decode(b)), close: jest.fn(), terminate: jest.fn() };
  const conn = new Connection(socket as unknown as WebSocket, new OutboundQueue({ MAX_SEND_BUFFER_BYTES: 1 << 20 } as GatewayConfig));
  return { conn, sent };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('Connection pushes that wait for an ACK', () => {
  it('settles each push once: true on its ACK, false when overdue, and ignores unknown or repeated ACKs', async () => {
    const { conn, sent } = setup();
    const settled: [string, boolean][] = [];
    conn.deliverThen(Evt.PEER_MESSAGE, { id: 'a' }, 1_000, (ok) => settled.push(['a', ok]));
    conn.deliverThen(Evt.PEER_MESSAGE, { id: 'b' }, 1_000, (ok) => settled.push(['b', ok]));
    await turn();
    expect(sent).toEqual([[Frame.BATCH, [Frame.EVT, Evt.PEER_MESSAGE, { id: 'a' }, 1], [Frame.EVT, Evt.PEER_MESSAGE, { id: 'b' }, 2]]]);
    conn.onAck(2);
    conn.onAck(2);
    conn.onAck(99);
    conn.onAck('1');
    expect(settled).toEqual([['b', true]]);
    conn.expireAcks(Date.now()); // not overdue yet
    expect(settled).toEqual([['b', true]]);
    conn.expireAcks(Date.now() + 2_000);
    conn.onAck(1); // too late: settled already
    expect(settled).toEqual([
      ['b', true],
      ['a', false],
    ]);
  });

  it('settles false at once on a closed socket, and every waiting push false when the socket goes', async () => {
    const { conn } = setup();
    const settled: boolean[] = [];
    conn.deliverThen(Evt.PEER_MESSAGE, {}, 1_000, (ok) => settled.push(ok));
    await expect(Promise.race([conn.deliver(Evt.PEER_MESSAGE, {}, 1_000), turn().then(() => 'waiting')])).resolves.toBe('waiting');
    conn.dispose();
    expect(settled).toEqual([false]);
    conn.deliverThen(Evt.PEER_MESSAGE, {}, 1_000, (ok) => settled.push(ok));
    expect(settled).toEqual([false, false]);
    await expect(conn.deliver(Evt.PEER_MESSAGE, {}, 1_000)).resolves.toBe(false);
  });

  it('a settle callback that throws is logged and the other pushes still settle', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const { conn } = setup();
      const settled: boolean[] = [];
      conn.deliverThen(Evt.PEER_MESSAGE, {}, 1_000, () => {
        throw new Error('boom');
      });
      conn.deliverThen(Evt.PEER_MESSAGE, {}, 1_000, (ok) => settled.push(ok));
      conn.expireAcks(Date.now() + 2_000);
      expect(settled).toEqual([false]);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('boom'));
    } finally {
      error.mockRestore();
    }
  });
});

describe('Connection login attempts (LOGIN_RATE before any session exists)', () => {
  it('allows `limit` logins per window, then says how long to wait, and allows again once the oldest left the window', () => {
    const { conn } = setup();
    expect(conn.takeLogin(2, 1_000, 10_000)).toBe(0);
    expect(conn.takeLogin(2, 1_000, 10_400)).toBe(0);
    expect(conn.takeLogin(2, 1_000, 10_500)).toBe(500);
    expect(conn.takeLogin(2, 1_000, 10_999)).toBe(1);
    expect(conn.takeLogin(2, 1_000, 11_000)).toBe(0); // the first left the window
    expect(conn.takeLogin(2, 1_000, 11_100)).toBe(300); // the second is still in it
  });

  it('refuses every login when the limit is 0', () => {
    const { conn } = setup();
    expect(conn.takeLogin(0, 1_000, 10_000)).toBe(1_000);
    expect(conn.takeLogin(0, 1_000, 10_001)).toBeGreaterThan(0);
  });
});
