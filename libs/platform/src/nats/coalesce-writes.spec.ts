import type { NatsConnection } from 'nats';
import { atTurnEnd } from '../timers/turn-end';
import { coalesceWrites } from './coalesce-writes';

const turn = () => new Promise((r) => setImmediate(r));
const text = (b: Uint8Array) => Buffer.from(b).toString();

/** nats.js's protocol handler as far as coalesceWrites uses it; `writes` are the socket writes. */
function fakeConnection(pendingLimit = 1024) {
  const writes: string[] = [];
  let buffered: Uint8Array[] = [];
  const protocol = {
    pendingLimit,
    outbound: {
      fill: (buf: Uint8Array, ...payloads: Uint8Array[]) => void buffered.push(buf, ...payloads),
      size: () => buffered.reduce((n, b) => n + b.length, 0),
    },
    sendCommand: (_cmd: string | Uint8Array, ..._payloads: Uint8Array[]): void => {
      throw new Error('replaced');
    },
    flushPending: () => {
      if (!buffered.length) return;
      writes.push(buffered.map(text).join(''));
      buffered = [];
    },
  };
  return { nc: { protocol } as unknown as NatsConnection, protocol, writes };
}

describe('coalesceWrites', () => {
  it("writes the commands of one turn, and of the turn's batches (atTurnEnd), in one write, in order", async () => {
    const { nc, protocol, writes } = fakeConnection();
    expect(coalesceWrites(nc)).toBe(true);
    protocol.sendCommand('SUB a 1\r\n');
    await Promise.resolve(); // nats.js would have written here (a microtask)
    expect(writes).toEqual([]);
    atTurnEnd(() => protocol.sendCommand('PUB b 2\r\n', Buffer.from('hi')));
    protocol.sendCommand(Buffer.from('PUB c 0\r\n'));
    await turn();
    expect(writes).toEqual(['SUB a 1\r\nPUB c 0\r\nPUB b 2\r\nhi']);
    protocol.sendCommand('PING\r\n');
    await turn();
    expect(writes).toHaveLength(2);
  });

  it('writes at once when the buffer passes the pending limit', () => {
    const { nc, protocol, writes } = fakeConnection(8);
    coalesceWrites(nc);
    protocol.sendCommand('PUB x 0\r\n');
    expect(writes).toEqual(['PUB x 0\r\n']);
  });

  it('leaves a connection it does not recognise alone', () => {
    expect(coalesceWrites({} as NatsConnection)).toBe(false);
    expect(coalesceWrites({ protocol: { sendCommand: () => undefined } } as unknown as NatsConnection)).toBe(false);
  });
});
