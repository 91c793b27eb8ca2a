import { Logger } from '@nestjs/common';
import { createCodec, ErrorCode, Frame, Op, ParleyError } from '@parley/contracts';
import type { WebSocket } from 'ws';
import type { PresenceClient } from '../clients/presence.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import { Connection } from '../transport/connection';
import { OutboundQueue } from '../transport/outbound-queue';
import type { Session } from '../transport/session';
import type { WsRouter } from './ws.router';
import { WsServer } from './ws.server';

const codec = createCodec();
/** The end of the turn and its writes (atTurnEnd runs two immediates back to back). */
const turn = () => new Promise((r) => setImmediate(() => setImmediate(r)));

describe('WsServer request dispatch', () => {
  it('answers a handler’s value, its Promise, its throw and its rejection, and keeps the in-flight count', async () => {
    const config = { REQUESTS_IN_FLIGHT_MAX: 8, MAX_SEND_BUFFER_BYTES: 1 << 20 } as GatewayConfig;
    let resolveLater!: (v: string) => void;
    const handlers: Partial<Record<Op, () => unknown>> = {
      [Op.QUERY_ONLINE]: () => 'now',
      [Op.JOIN]: () => {
        throw new ParleyError(ErrorCode.TOO_OFTEN, 'slow down', 250);
      },
      [Op.LEAVE]: () => new Promise<string>((resolve) => (resolveLater = resolve)),
      [Op.MEMBER_COUNT]: () => Promise.reject(new Error('a bug')),
      [Op.GET_MEMBERS]: () => undefined,
    };
    const router = {
      isOp: () => true,
      parse: (_op: Op, args: unknown) => ({ ok: true, args }),
      dispatch: (_conn: Connection, op: Op) => handlers[op]!(),
    };
    const outbound = new OutboundQueue(config);
    const server = new WsServer(router as unknown as WsRouter, {} as SessionsService, {} as PresenceClient, outbound, config);
    const sent: unknown[] = [];
    const socket = { readyState: 1, bufferedAmount: 0, send: (b: Uint8Array) => sent.push(codec.decode(b)), close: jest.fn(), terminate: jest.fn() };
    const conn = new Connection(socket as unknown as WebSocket, outbound);
    conn.session = {} as Session;
    const request = (id: number, op: Op) =>
      (server as unknown as { onMessage(c: Connection, d: Buffer): void }).onMessage(conn, Buffer.from(codec.encode([Frame.REQ, id, op, {}])));
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      request(1, Op.QUERY_ONLINE);
      request(2, Op.JOIN);
      request(3, Op.LEAVE);
      request(4, Op.MEMBER_COUNT);
      request(5, Op.GET_MEMBERS);
      expect(conn.inFlight).toBe(5);
      await turn();
      const answers = (sent as unknown[][]).flatMap((f) => (f[0] === Frame.BATCH ? f.slice(1) : [f]));
      expect(answers).toEqual([
        [Frame.RES, 1, 0, 'now'],
        [Frame.RES, 2, ErrorCode.TOO_OFTEN, { message: 'slow down', retryAfterMs: 250 }],
        [Frame.RES, 4, ErrorCode.UNKNOWN, expect.objectContaining({ message: expect.any(String) })],
        [Frame.RES, 5, 0, null],
      ]);
      expect(error).toHaveBeenCalledTimes(1); // the untyped rejection is logged with its stack
      expect(conn.inFlight).toBe(1);
      resolveLater('later');
      await turn();
      expect(sent.at(-1)).toEqual([Frame.RES, 3, 0, 'later']);
      expect(conn.inFlight).toBe(0);
    } finally {
      error.mockRestore();
    }
  });
});
