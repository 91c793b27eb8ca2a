import { ErrorCode, MessageKind, type AppId, type SessionId, type Uid } from '@parley/contracts';
import type { ChannelMessageDelivery } from '@parley/delivery';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { ChannelMessagesService } from './channel-messages.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const text = (t: string) => ({ k: MessageKind.TEXT, text: t });

function setup() {
  const config = { MESSAGE_MAX_BYTES: 32 * 1024, MESSAGE_RATE: { limit: 180, windowMs: 3000 } } as GatewayConfig;
  const sessions = { requireSession: (conn: { session: Session }) => conn.session };
  /** The real delivery returns the durable capture's promise when the message is kept, else nothing. */
  let capture: Promise<void> | undefined;
  const delivery = { publish: jest.fn((..._args: unknown[]) => capture) };
  const sut = new ChannelMessagesService(sessions as unknown as SessionsService, delivery as unknown as ChannelMessageDelivery, config);
  const session = new Session('00000000-0000-4000-8000-000000000001' as SessionId, appId, 'ann' as Uid, 'inst', 0, null);
  session.channels = new Set(['room']);
  return { sut, delivery, conn: { session } as unknown as Connection, capturing: (p: Promise<void> | undefined): void => void (capture = p) };
}

describe('ChannelMessagesService: the history flag', () => {
  it('answers at once without hist; passes hist on and answers once the capture is durable with it', async () => {
    const { sut, delivery, conn, capturing } = setup();
    const plain = sut.send(conn, { ch: 'room', id: 'm1', m: text('a') });
    expect(plain).toEqual({ ts: expect.any(Number) });
    expect(delivery.publish).toHaveBeenLastCalledWith(appId, 'room', expect.objectContaining({ from: 'ann', id: 'm1' }), false);

    let durable!: () => void;
    capturing(new Promise<void>((resolve) => (durable = resolve)));
    let answered = false;
    const kept = Promise.resolve(sut.send(conn, { ch: 'room', id: 'm2', m: text('b'), hist: true })).then((r) => ((answered = true), r));
    expect(delivery.publish).toHaveBeenLastCalledWith(appId, 'room', expect.objectContaining({ id: 'm2' }), true);
    await new Promise(setImmediate);
    expect(answered).toBe(false);
    durable();
    expect(await kept).toEqual({ ts: expect.any(Number) });
  });

  it('a failed capture is the sender’s error (UNAVAILABLE)', async () => {
    const { sut, conn, capturing } = setup();
    capturing(Promise.reject(Object.assign(new Error('history down'), { code: ErrorCode.UNAVAILABLE })));
    await expect(sut.send(conn, { ch: 'room', id: 'm1', m: text('a'), hist: true })).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });
});
