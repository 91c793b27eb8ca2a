import { MessageKind, type AppId } from '@parley/contracts';
import type { HistoryRecord } from '@parley/contracts/internal';
import type { Principal } from '../auth/principal';
import type { ServicesClient } from '../clients/services.client';
import { ApiError } from '../http/api-error';
import type { SharedRateLimits } from '../http/shared-rate-limits';
import { HistoryPageQuery } from './history.schemas';
import { HistoryService } from './history.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const customer: Principal = { appId, kind: 'customer', credentialId: 'c'.repeat(32) };
const ann: Principal = { appId, kind: 'token', uid: 'ann' };

const record = (over: Partial<HistoryRecord>): HistoryRecord => ({
  k: 'peer',
  from: 'ann',
  to: 'bob',
  id: 'm1',
  ts: 1_000,
  m: { k: MessageKind.TEXT, text: 'hi' },
  ...over,
});

function setup(reply = { msgs: [] as HistoryRecord[], more: false }) {
  const services = { historyPage: jest.fn().mockResolvedValue(reply) };
  const limits = { take: jest.fn() };
  const sut = new HistoryService(services as unknown as ServicesClient, limits as unknown as SharedRateLimits);
  return { sut, services, limits };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('HistoryService (/v1 history pages)', () => {
  it('asks one page of a channel, start / end / messageCount as before / after / limit, counted as history', async () => {
    const { sut, services, limits } = setup();
    await sut.channel(customer, 'room', HistoryPageQuery.parse({ start: '2000', end: '1000', messageCount: '50' }), 'r');
    await sut.channel(customer, 'room', HistoryPageQuery.parse({}), 'r');
    // Agora 2.x's defaults are 0: no bound.
    await sut.channel(customer, 'room', HistoryPageQuery.parse({ start: '0', end: '0' }), 'r');
    expect(services.historyPage.mock.calls).toEqual([
      [{ appId, kind: 'channel', a: 'room', before: 2000, after: 1000, limit: 50 }],
      [{ appId, kind: 'channel', a: 'room', limit: 20 }],
      [{ appId, kind: 'channel', a: 'room', limit: 20 }],
    ]);
    expect(limits.take).toHaveBeenCalledWith('history', appId);
  });

  it('asks a conversation with uid and peer as its two parties', async () => {
    const { sut, services } = setup();
    await sut.peer(customer, 'ann', 'bob', HistoryPageQuery.parse({ start: '5' }), 'r');
    expect(services.historyPage).toHaveBeenCalledWith({ appId, kind: 'peer', a: 'ann', b: 'bob', before: 5, limit: 20 });
  });

  it('maps every message kind, newest first, with newStart = the oldest ts while there are more', async () => {
    const msgs = [
      record({ id: 't', ts: 40, m: { k: MessageKind.TEXT, text: 'hello' } }),
      record({ id: 'r', ts: 30, from: 'bob', to: 'ann', m: { k: MessageKind.RAW, raw: new Uint8Array([0, 1, 254, 255]), desc: 'bin' } }),
      record({
        id: 'i',
        ts: 20,
        m: { k: MessageKind.IMAGE, desc: 'cat', media: { id: 'md1', size: 2048, name: 'cat.png', w: 640, h: 480, thumb: new Uint8Array([1]) } },
      }),
      record({ id: 'f', ts: 10, m: { k: MessageKind.FILE, media: { id: 'md2', size: 7, name: 'a.txt' } } }),
    ];
    const { sut } = setup({ msgs, more: true });
    const page = await sut.peer(customer, 'ann', 'bob', HistoryPageQuery.parse({}), 'req-1');
    expect(page).toEqual({
      messages: [
        { messageId: 't', from: 'ann', to: 'bob', messageType: 'TEXT', text: 'hello', serverReceivedTs: 40 },
        { messageId: 'r', from: 'bob', to: 'ann', messageType: 'RAW', rawMessage: 'AAH+/w==', description: 'bin', serverReceivedTs: 30 },
        {
          messageId: 'i',
          from: 'ann',
          to: 'bob',
          messageType: 'IMAGE',
          description: 'cat',
          media: { mediaId: 'md1', size: 2048, fileName: 'cat.png', width: 640, height: 480 },
          serverReceivedTs: 20,
        },
        { messageId: 'f', from: 'ann', to: 'bob', messageType: 'FILE', media: { mediaId: 'md2', size: 7, fileName: 'a.txt' }, serverReceivedTs: 10 },
      ],
      count: 4,
      newStart: 10,
      request_id: 'req-1',
    });
    // The wire order of keys is the schema's.
    expect(Object.keys(page.messages[2]!)).toEqual(['messageId', 'from', 'to', 'messageType', 'description', 'media', 'serverReceivedTs']);
  });

  it('leaves out `to` in a channel’s page and answers newStart null on the last page', async () => {
    const { sut } = setup({ msgs: [record({ k: 'channel', to: 'room' })], more: false });
    expect(await sut.channel(customer, 'room', HistoryPageQuery.parse({}), 'r')).toEqual({
      messages: [{ messageId: 'm1', from: 'ann', messageType: 'TEXT', text: 'hi', serverReceivedTs: 1_000 }],
      count: 1,
      newStart: null,
      request_id: 'r',
    });
  });

  it('lets an RTM token read only its own conversations, never a channel (403 before any call)', async () => {
    const { sut, services } = setup();
    expect(await rejection(sut.channel(ann, 'room', {}, 'r'))).toMatchObject({ status: 403 });
    expect(await rejection(sut.peer(ann, 'bob', 'ann', {}, 'r'))).toMatchObject({ status: 403 });
    expect(services.historyPage).not.toHaveBeenCalled();
    await sut.peer(ann, 'ann', 'bob', {}, 'r');
    expect(services.historyPage).toHaveBeenCalledTimes(1);
  });

  it('refuses bad bounds', () => {
    for (const q of [
      { start: '10', end: '10' },
      { start: '10', end: '20' },
      { start: '-1' },
      { start: '1.5' },
      { messageCount: '0' },
      { messageCount: '101' },
      { messageCount: 'x' },
      { before: '1' },
    ]) {
      expect(HistoryPageQuery.safeParse(q).success).toBe(false);
    }
    expect(HistoryPageQuery.safeParse({ start: '0', end: '10' }).success).toBe(true);
  });
});
