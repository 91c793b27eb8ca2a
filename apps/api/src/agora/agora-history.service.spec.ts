import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageKind, type AppId } from '@parley/contracts';
import type { HistoryRecord } from '@parley/contracts/internal';
import type { Principal } from '../auth/principal';
import type { ServicesClient } from '../clients/services.client';
import { ApiError } from '../http/api-error';
import type { SharedRateLimits } from '../http/shared-rate-limits';
import { HistoryCountQuery, HistoryQueryBody } from './agora-history.schemas';
import { AgoraHistoryService } from './agora-history.service';
import { encodeHistoryHandle } from './history-handle.codec';

const FIXTURES = join(__dirname, '../../test/fixtures/agora-history');
/** A fixture as it goes on the wire: parsed (key order kept) and compacted, as Express's res.json sends a body. */
const fixture = (name: string): string => JSON.stringify(JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')));

const appId = '876922cbca0098dff4323566daa89675' as AppId;
const customer: Principal = { appId, kind: 'customer', credentialId: 'c'.repeat(32) };
const token = (uid: string): Principal => ({ appId, kind: 'token', uid });
const T0 = Date.parse('2019-08-01T01:22:10Z');
const T1 = Date.parse('2019-08-01T01:32:10Z');

const text = (k: 'peer' | 'channel', from: string, to: string, body: string, ts: number): HistoryRecord => ({
  k,
  from,
  to,
  id: `${from}-${ts}`,
  ts,
  m: { k: MessageKind.TEXT, text: body },
});

function setup() {
  const services = {
    historyQuery: jest.fn().mockResolvedValue({ msgs: [] }),
    historyCount: jest.fn().mockResolvedValue({ count: 0 }),
  };
  const limits = { take: jest.fn() };
  const sut = new AgoraHistoryService(services as unknown as ServicesClient, limits as unknown as SharedRateLimits);
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

function thrown(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('did not throw');
}

/** The location's handle. */
const handleOf = (location: string) => location.slice('~/rtm/message/history/query/'.length);

describe('AgoraHistoryService (Agora 1.x history REST)', () => {
  describe('answers byte for byte as Agora documents them (test/fixtures/agora-history)', () => {
    it('query', () => {
      const { sut } = setup();
      const body = HistoryQueryBody.parse(JSON.parse(readFileSync(join(FIXTURES, 'query-request.json'), 'utf8')));
      expect(JSON.stringify(sut.createQuery(customer, body))).toBe(fixture('query-response.json'));
    });

    it('messages of a handle', async () => {
      const { sut, services } = setup();
      services.historyQuery.mockResolvedValue({
        msgs: [text('peer', 'src', 'dst', '123', 1587009745719), text('channel', 'src', 'lobby', 'hello', 1587009745720)],
      });
      const handle = encodeHistoryHandle({ appId, source: 'src', startMs: T0, endMs: T1, offset: 0, limit: 20, order: 'asc' });
      expect(JSON.stringify(await sut.readQuery(customer, handle))).toBe(fixture('messages-response.json'));
    });

    it('count', async () => {
      const { sut, services } = setup();
      services.historyCount.mockResolvedValue({ count: 123 });
      const q = HistoryCountQuery.parse({ source: 'src', destination: 'dst', start_time: '2019-08-01T01:22:10Z', end_time: '2019-08-01T01:24:10Z' });
      expect(JSON.stringify(await sut.count(customer, q))).toBe(fixture('count-response.json'));
    });
  });

  it('normalizes the query (defaults offset 0, limit 20, asc) into a handle that runs it, text only, counted as history', async () => {
    const { sut, services, limits } = setup();
    const answer = sut.createQuery(
      customer,
      HistoryQueryBody.parse({ filter: { destination: 'lobby', start_time: '2019-08-01T01:22:10.5Z', end_time: '2019-08-01T01:32:10Z' } }),
    );
    expect(answer).toMatchObject({ result: 'success', offset: 0, limit: 20, order: 'asc' });
    await sut.readQuery(customer, handleOf(answer.location));
    expect(services.historyQuery).toHaveBeenCalledWith({
      appId,
      destination: 'lobby',
      startMs: T0 + 500,
      endMs: T1,
      offset: 0,
      limit: 20,
      order: 'asc',
      textOnly: true,
    });
    await sut.count(customer, HistoryCountQuery.parse({ source: '"alice"', start_time: '"2019-08-01T01:22:10Z"', end_time: '2019-08-01T01:32:10Z' }));
    expect(services.historyCount).toHaveBeenCalledWith({ appId, source: 'alice', startMs: T0, endMs: T1, textOnly: true });
    expect(limits.take.mock.calls).toEqual([
      ['history', appId],
      ['history', appId],
      ['history', appId],
    ]);
  });

  it('answers 404 for a handle it did not make, or one of another app, before any service call', async () => {
    const { sut, services } = setup();
    const other = encodeHistoryHandle({ appId: 'f'.repeat(32), source: 'a', startMs: T0, endMs: T1, offset: 0, limit: 20, order: 'asc' });
    for (const handle of ['', 'abc', '!!!', Buffer.from('{"v":1}').toString('base64url'), other, 'a'.repeat(600)]) {
      expect(await rejection(sut.readQuery(customer, handle))).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect(services.historyQuery).not.toHaveBeenCalled();
  });

  it('lets an RTM token read only what its uid sent or received (403 otherwise), also through a handle made by another', async () => {
    const { sut, services } = setup();
    const bob = token('bob');
    const body = (filter: Record<string, string>) =>
      HistoryQueryBody.parse({ filter: { start_time: '2019-08-01T01:22:10Z', end_time: '2019-08-01T01:32:10Z', ...filter } });
    expect(thrown(() => sut.createQuery(bob, body({ destination: 'lobby' })))).toMatchObject({ status: 403 });
    expect(thrown(() => sut.createQuery(bob, body({ source: 'alice', destination: 'carol' })))).toMatchObject({ status: 403 });
    expect(sut.createQuery(bob, body({ source: 'bob', destination: 'lobby' })).result).toBe('success');
    expect(sut.createQuery(bob, body({ destination: 'bob' })).result).toBe('success');
    const customers = sut.createQuery(customer, body({ destination: 'lobby' }));
    expect(await rejection(sut.readQuery(bob, handleOf(customers.location)))).toMatchObject({ status: 403 });
    const q = HistoryCountQuery.parse({ source: 'alice', start_time: '2019-08-01T01:22:10Z', end_time: '2019-08-01T01:32:10Z' });
    expect(await rejection(sut.count(bob, q))).toMatchObject({ status: 403 });
    expect(services.historyQuery).not.toHaveBeenCalled();
    expect(services.historyCount).not.toHaveBeenCalled();
  });

  it('shows a token that is only the destination no channel of its uid’s name (uids and channels share names)', async () => {
    const { sut, services } = setup();
    services.historyQuery.mockResolvedValue({ msgs: [text('peer', 'alice', 'bob', 'hi', T0), text('channel', 'alice', 'bob', 'room named bob', T0 + 1)] });
    const received = encodeHistoryHandle({ appId, destination: 'bob', startMs: T0, endMs: T1, offset: 0, limit: 20, order: 'asc' });
    expect((await sut.readQuery(token('bob'), received)).messages.map((m) => m.payload)).toEqual(['hi']);
    expect((await sut.readQuery(customer, received)).messages.map((m) => m.payload)).toEqual(['hi', 'room named bob']);
    const sent = encodeHistoryHandle({ appId, source: 'alice', startMs: T0, endMs: T1, offset: 0, limit: 20, order: 'asc' });
    expect((await sut.readQuery(token('alice'), sent)).messages).toHaveLength(2);
  });

  describe('validation (Agora’s rules)', () => {
    const filter = { source: 'a', start_time: '2019-08-01T01:22:10Z', end_time: '2019-08-01T01:32:10Z' };
    it('accepts Agora’s documented bodies', () => {
      expect(HistoryQueryBody.safeParse({ filter }).success).toBe(true);
      expect(HistoryQueryBody.safeParse({ filter: { ...filter, source: null, destination: 'lobby' }, offset: 0, limit: 100, order: 'desc' }).success).toBe(
        true,
      );
    });

    it.each([
      ['no source nor destination', { filter: { ...filter, source: undefined } }],
      ['both null', { filter: { ...filter, source: null, destination: null } }],
      ['start after end', { filter: { ...filter, start_time: '2019-08-01T01:32:10Z', end_time: '2019-08-01T01:22:10Z' } }],
      ['start equal to end', { filter: { ...filter, end_time: filter.start_time } }],
      ['a time with an offset', { filter: { ...filter, start_time: '2019-08-01T09:22:10+08:00' } }],
      ['a time without a zone', { filter: { ...filter, start_time: '2019-08-01T01:22:10' } }],
      ['a date that does not exist', { filter: { ...filter, start_time: '2019-02-30T01:22:10Z' } }],
      ['Unix ms instead of ISO', { filter: { ...filter, start_time: T0 } }],
      ['a limit Agora does not offer', { filter, limit: 30 }],
      ['a negative offset', { filter, offset: -1 }],
      ['an offset past the maximum', { filter, offset: 100_001 }],
      ['another order', { filter, order: 'newest' }],
      ['an invalid uid', { filter: { ...filter, source: ' a' } }],
      ['an unknown field', { filter, offSet: 1 }],
      ['an unknown filter field', { filter: { ...filter, channel: 'x' } }],
    ])('refuses %s', (_what, body) => {
      expect(HistoryQueryBody.safeParse(body).success).toBe(false);
    });

    it('checks the count’s query parameters the same way', () => {
      expect(HistoryCountQuery.safeParse({ destination: 'lobby', start_time: filter.start_time, end_time: filter.end_time }).success).toBe(true);
      expect(HistoryCountQuery.safeParse({ start_time: filter.start_time, end_time: filter.end_time }).success).toBe(false);
      expect(HistoryCountQuery.safeParse({ source: 'a', start_time: filter.end_time, end_time: filter.start_time }).success).toBe(false);
      expect(HistoryCountQuery.safeParse({ source: 'a', end_time: filter.end_time }).success).toBe(false);
      expect(HistoryCountQuery.safeParse({ ...filter, limit: '20' }).success).toBe(false);
    });
  });
});
