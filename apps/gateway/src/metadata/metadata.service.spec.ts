import { ErrorCode, Evt, type AppId, type SessionId, type Uid } from '@parley/contracts';
import type { MetadataClient } from '../clients/metadata.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import { MetadataService } from './metadata.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup(writeRate = 100) {
  const client = {
    writeUser: jest.fn(async () => ({ majorRevision: 1 })),
    writeChannel: jest.fn(async () => ({ majorRevision: 2 })),
    getUser: jest.fn(async () => ({ items: [], majorRevision: 0 })),
    getChannel: jest.fn(async () => ({ items: [], majorRevision: 0 })),
  };
  const config = { METADATA_WRITE_RATE: { limit: writeRate, windowMs: 5000 }, METADATA_READ_RATE: { limit: 100, windowMs: 5000 } } as GatewayConfig;
  const sessions = { requireSession: (conn: { session: Session }) => conn.session };
  const sut = new MetadataService(sessions as unknown as SessionsService, client as unknown as MetadataClient, config);
  const session = new Session('00000000-0000-4000-8000-000000000001' as SessionId, appId, 'ann' as Uid, 'inst', 0, null);
  return { sut, client, session, conn: { session } as unknown as Connection };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: unknown }) => e.code,
  );

describe('gateway MetadataService', () => {
  it('writes the session’s own user set as its author, passing on only the fields given', async () => {
    const { sut, client, conn } = setup();
    expect(await sut.updateUser(conn, { items: [{ key: 'a', value: '1', revision: 4 }], majorRevision: 9, recordTs: true })).toEqual({ majorRevision: 1 });
    await sut.clearUser(conn, {});
    expect(client.writeUser.mock.calls).toEqual([
      [{ appId, uid: 'ann', author: 'ann', op: 'update', items: [{ key: 'a', value: '1', revision: 4 }], majorRevision: 9, recordTs: true }],
      [{ appId, uid: 'ann', author: 'ann', op: 'clear' }],
    ]);
  });

  it('works on joined channels only (NOT_IN_CHANNEL), reads included', async () => {
    const { sut, client, session, conn } = setup();
    expect(await codeOf(sut.setChannel(conn, { ch: 'room', items: [] }))).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect(await codeOf(sut.getChannel(conn, { ch: 'room' }))).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect(await codeOf(sut.getChannel(conn, { ch: 'null' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    session.channels = new Set(['room']);
    await sut.addChannel(conn, { ch: 'room', items: [{ key: 'k', value: 'v' }], recordUserId: true });
    await sut.getChannel(conn, { ch: 'room' });
    expect(client.writeChannel).toHaveBeenCalledWith({ appId, ch: 'room', author: 'ann', op: 'add', items: [{ key: 'k', value: 'v' }], recordUserId: true });
    expect(client.getChannel).toHaveBeenCalledWith({ appId, ch: 'room' });
  });

  it('counts user and channel writes against one budget (TOO_OFTEN) and checks uids of reads', async () => {
    const { sut, session, conn } = setup(2);
    session.channels = new Set(['room']);
    await sut.setUser(conn, { items: [] });
    await sut.clearChannel(conn, { ch: 'room' });
    expect(await codeOf(sut.deleteUser(conn, { items: [{ key: 'a' }] }))).toBe(ErrorCode.TOO_OFTEN);
    expect(await codeOf(sut.getUser(conn, { uid: ' lead' }))).toBe(ErrorCode.INVALID_USER_ID);
  });

  it('pushes a channel’s set to every local member', () => {
    const { sut } = setup();
    const events: unknown[] = [];
    const member = { conn: { event: (evt: number, data: unknown) => events.push([evt, data]) } } as unknown as Session;
    const event = { ch: 'room', md: { items: [], majorRevision: 3 } };
    sut.channelMetadataChanged(new Set([member, { conn: null } as unknown as Session]), event);
    expect(events).toEqual([[Evt.CHANNEL_METADATA, event]]);
  });
});
