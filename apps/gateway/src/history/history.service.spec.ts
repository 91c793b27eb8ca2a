import { ErrorCode, HISTORY_LIMITS, MessageKind, type AppId, type SessionId, type Uid } from '@parley/contracts';
import type { HistoryPageReply, HistoryPageRequest } from '@parley/contracts/internal';
import type { HistoryClient } from '../clients/history.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { HistoryService } from './history.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const text = (t: string) => ({ k: MessageKind.TEXT, text: t });

function setup(reply: HistoryPageReply = { msgs: [], more: false }, readRate = 100) {
  const client = { page: jest.fn(async (_req: HistoryPageRequest) => reply) };
  const config = { HISTORY_READ_RATE: { limit: readRate, windowMs: 5000 } } as GatewayConfig;
  const sessions = { requireSession: (conn: { session: Session }) => conn.session };
  const sut = new HistoryService(sessions as unknown as SessionsService, client as unknown as HistoryClient, config);
  const session = new Session('00000000-0000-4000-8000-000000000001' as SessionId, appId, 'ann' as Uid, 'inst', 0, null);
  return { sut, client, session, conn: { session } as unknown as Connection };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: unknown }) => e.code,
  );

describe('gateway HistoryService', () => {
  it('pages a joined channel only (NOT_IN_CHANNEL otherwise), with the default limit, answering items without kind or destination', async () => {
    const { sut, client, session, conn } = setup({
      msgs: [
        { k: 'channel', from: 'bob', to: 'room', id: 'b-2', ts: 20, m: text('new') },
        { k: 'channel', from: 'ann', to: 'room', id: 'a-1', ts: 10, m: text('old') },
      ],
      more: true,
    });
    expect(await codeOf(sut.channel(conn, { ch: 'room' }))).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect(await codeOf(sut.channel(conn, { ch: 'null' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(client.page).not.toHaveBeenCalled();

    session.channels = new Set(['room']);
    expect(await sut.channel(conn, { ch: 'room' })).toEqual({
      msgs: [
        { from: 'bob', id: 'b-2', ts: 20, m: text('new') },
        { from: 'ann', id: 'a-1', ts: 10, m: text('old') },
      ],
      more: true,
    });
    await sut.channel(conn, { ch: 'room', before: 10, limit: 5 });
    expect(client.page.mock.calls).toEqual([
      [{ appId, kind: 'channel', a: 'room', limit: HISTORY_LIMITS.PAGE_DEFAULT }],
      [{ appId, kind: 'channel', a: 'room', before: 10, limit: 5 }],
    ]);
  });

  it('pages the conversation between the session’s user and the peer, both directions, keeping who sent to whom', async () => {
    const { sut, client, conn } = setup({
      msgs: [
        { k: 'peer', from: 'bob', to: 'ann', id: 'b-1', ts: 30, m: text('hi ann') },
        { k: 'peer', from: 'ann', to: 'bob', id: 'a-1', ts: 29, m: { k: MessageKind.RAW, raw: new Uint8Array([1]) } },
      ],
      more: false,
    });
    const page = await sut.peer(conn, { peer: 'bob', before: 31 });
    expect(page).toEqual({
      msgs: [
        { from: 'bob', to: 'ann', id: 'b-1', ts: 30, m: text('hi ann') },
        { from: 'ann', to: 'bob', id: 'a-1', ts: 29, m: { k: MessageKind.RAW, raw: new Uint8Array([1]) } },
      ],
      more: false,
    });
    expect(page.msgs.every((m) => !('k' in m))).toBe(true);
    expect(client.page).toHaveBeenCalledWith({ appId, kind: 'peer', a: 'ann', b: 'bob', before: 31, limit: HISTORY_LIMITS.PAGE_DEFAULT });
    expect(await codeOf(sut.peer(conn, { peer: ' bob' }))).toBe(ErrorCode.INVALID_USER_ID);
  });

  it('counts channel and peer pages against one budget per session (TOO_OFTEN with retryAfterMs)', async () => {
    const { sut, client, session, conn } = setup(undefined, 2);
    session.channels = new Set(['room']);
    await sut.channel(conn, { ch: 'room' });
    await sut.peer(conn, { peer: 'bob' });
    const refused = await sut.peer(conn, { peer: 'bob' }).catch((e: { code: number; retryAfterMs?: number }) => e);
    expect(refused).toMatchObject({ code: ErrorCode.TOO_OFTEN, retryAfterMs: expect.any(Number) });
    expect(client.page).toHaveBeenCalledTimes(2);
  });

  it('passes the history service’s errors on (UNAVAILABLE, TIMEOUT)', async () => {
    const { sut, client, conn } = setup();
    client.page.mockRejectedValueOnce(Object.assign(new Error('down'), { code: ErrorCode.UNAVAILABLE }));
    expect(await codeOf(sut.peer(conn, { peer: 'bob' }))).toBe(ErrorCode.UNAVAILABLE);
  });
});
