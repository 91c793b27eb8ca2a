import { ErrorCode, MessageKind, ParleyError } from '@parley/contracts';
import type { HistoryRecord } from '@parley/contracts/internal';
import { readHistoryConfig } from '../config/history.config';
import type { Filter, HistoryQueryRepository, Thread } from './history-query.repository';
import { HistoryQueryService } from './history-query.service';

const appId = '876922cbca0098dff4323566daa89675';
const config = readHistoryConfig({});

const rec = (from: string, ts: number, id = `${from}-${ts}`): HistoryRecord => ({
  k: 'channel',
  from,
  to: 'room',
  id,
  ts,
  m: { k: MessageKind.TEXT, text: `${from}@${ts}` },
});

/** A repository over an in-memory thread, newest first, as the SQL answers it. */
function setup(rows: HistoryRecord[], visibleFrom = 0) {
  const sorted = [...rows].sort((a, b) => b.ts - a.ts);
  const repository = {
    visibleFrom: jest.fn(async () => visibleFrom),
    page: jest.fn(async (_app: string, _t: Thread, from: number, before: number, limit: number) =>
      sorted.filter((r) => r.ts >= from && r.ts < before).slice(0, limit),
    ),
    at: jest.fn(async (_app: string, _t: Thread, ms: number, max: number) => sorted.filter((r) => r.ts === ms).slice(0, max)),
    query: jest.fn(async () => sorted),
    count: jest.fn(async () => sorted.length),
  };
  const sut = new HistoryQueryService(repository as unknown as HistoryQueryRepository, config);
  return { sut, repository };
}

async function code(p: Promise<unknown>): Promise<ErrorCode> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return (err as ParleyError).code;
}

describe('HistoryQueryService.page', () => {
  it('returns the newest `limit` messages and says there are more', async () => {
    const { sut } = setup([rec('a', 1), rec('a', 2), rec('a', 3), rec('a', 4)]);
    const page = await sut.page({ appId, kind: 'channel', a: 'room', limit: 2 });
    expect(page.msgs.map((m) => m.ts)).toEqual([4, 3]);
    expect(page.more).toBe(true);
    const next = await sut.page({ appId, kind: 'channel', a: 'room', limit: 2, before: 3 });
    expect(next.msgs.map((m) => m.ts)).toEqual([2, 1]);
    expect(next.more).toBe(false);
  });

  it('never ends a page inside one millisecond: `before` = the oldest ts continues exactly', async () => {
    const { sut } = setup([rec('a', 1), rec('a', 5), rec('b', 5), rec('c', 5), rec('a', 9)]);
    const first = await sut.page({ appId, kind: 'channel', a: 'room', limit: 3 });
    // 9, 5, 5 would cut the ms 5 in two: the page ends before it.
    expect(first.msgs.map((m) => m.ts)).toEqual([9]);
    expect(first.more).toBe(true);
    const second = await sut.page({ appId, kind: 'channel', a: 'room', limit: 3, before: 9 });
    expect(second.msgs.map((m) => `${m.from}${m.ts}`).sort()).toEqual(['a5', 'b5', 'c5']);
    expect(second.more).toBe(true);
    const third = await sut.page({ appId, kind: 'channel', a: 'room', limit: 3, before: 5 });
    expect(third.msgs.map((m) => m.ts)).toEqual([1]);
    expect(third.more).toBe(false);
  });

  it('returns the whole millisecond when it alone is more than a page, and whether older ones exist', async () => {
    const same = ['a', 'b', 'c', 'd'].map((u) => rec(u, 7));
    const { sut, repository } = setup([rec('z', 3), ...same]);
    const page = await sut.page({ appId, kind: 'channel', a: 'room', limit: 2 });
    expect(page.msgs).toHaveLength(4);
    expect(page.msgs.every((m) => m.ts === 7)).toBe(true);
    expect(page.more).toBe(true);
    expect(repository.at).toHaveBeenCalledWith(appId, { kind: 'c', conv: 'room' }, 7, expect.any(Number));
    const { sut: alone } = setup(same);
    expect((await alone.page({ appId, kind: 'channel', a: 'room', limit: 2 })).more).toBe(false);
  });

  it('drops a send stored twice (same sender and id, a resend after a reconnect), keeping the newest', async () => {
    const { sut } = setup([rec('a', 1, 'm1'), rec('a', 2, 'm1'), rec('b', 2, 'm1')]);
    const page = await sut.page({ appId, kind: 'channel', a: 'room', limit: 10 });
    expect(page.msgs.map((m) => `${m.from}${m.ts}`)).toEqual(['a2', 'b2']);
  });

  it('reads nothing older than the app’s visible bound (retention, size cap)', async () => {
    const { sut, repository } = setup([rec('a', 10), rec('a', 20), rec('a', 30)], 15);
    const page = await sut.page({ appId, kind: 'channel', a: 'room', limit: 10, after: 5 });
    expect(page.msgs.map((m) => m.ts)).toEqual([30, 20]);
    expect(repository.page).toHaveBeenCalledWith(appId, expect.anything(), 15, expect.any(Number), 11);
    // Everything asked for is past the bound: no read at all.
    repository.page.mockClear();
    expect(await sut.page({ appId, kind: 'channel', a: 'room', limit: 10, before: 15 })).toEqual({ msgs: [], more: false });
    expect(repository.page).not.toHaveBeenCalled();
  });

  it('keys a conversation by its two parties in either order', async () => {
    const { sut, repository } = setup([]);
    await sut.page({ appId, kind: 'peer', a: 'zed', b: 'amy', limit: 5 });
    await sut.page({ appId, kind: 'peer', a: 'amy', b: 'zed', limit: 5 });
    const threads = repository.page.mock.calls.map((c) => c[1]);
    expect(threads[0]).toEqual({ kind: 'p', conv: 'amy\nzed' });
    expect(threads[1]).toEqual(threads[0]);
  });

  it.each([
    ['a limit of 0', { limit: 0 }, ErrorCode.INVALID_ARGUMENT],
    ['a limit over the maximum', { limit: 101 }, ErrorCode.INVALID_ARGUMENT],
    ['a fractional limit', { limit: 2.5 }, ErrorCode.INVALID_ARGUMENT],
    ['a negative before', { limit: 5, before: -1 }, ErrorCode.INVALID_ARGUMENT],
    ['a string after', { limit: 5, after: '1' }, ErrorCode.INVALID_ARGUMENT],
    ['an unknown kind', { limit: 5, kind: 'group' }, ErrorCode.INVALID_ARGUMENT],
    ['a peer page without the other party', { limit: 5, kind: 'peer', b: undefined }, ErrorCode.INVALID_USER_ID],
    ['a bad app id', { limit: 5, appId: 'nope' }, ErrorCode.INVALID_APP_ID],
  ])('refuses %s with its typed error and reads nothing', async (_what, patch, expected) => {
    const { sut, repository } = setup([rec('a', 1)]);
    const req = { appId, kind: 'channel', a: 'room', ...patch } as never;
    expect(await code(sut.page(req))).toBe(expected);
    expect(repository.page).not.toHaveBeenCalled();
  });
});

describe('HistoryQueryService.query and count (Agora 1.x)', () => {
  it('passes the filter within the visible bound, with Agora’s defaults', async () => {
    const { sut, repository } = setup([rec('a', 50)], 40);
    await sut.query({ appId, source: 'a', startMs: 0, endMs: 100 } as never);
    const [, filter, offset, limit, order] = repository.query.mock.calls[0] as unknown as [string, Filter, number, number, string];
    expect(filter).toEqual({ source: 'a', destination: undefined, startMs: 40, endMs: 100, textOnly: false });
    expect([offset, limit, order]).toEqual([0, 20, 'asc']);
  });

  it('answers an empty window without reading', async () => {
    const { sut, repository } = setup([rec('a', 50)], 200);
    expect(await sut.query({ appId, startMs: 0, endMs: 100, offset: 0, limit: 20, order: 'asc' })).toEqual({ msgs: [] });
    expect(await sut.count({ appId, startMs: 0, endMs: 100 })).toEqual({ count: 0 });
    expect(repository.query).not.toHaveBeenCalled();
    expect(repository.count).not.toHaveBeenCalled();
  });

  it.each([
    ['limit 30 (only 20, 50, 100)', { limit: 30 }],
    ['a negative offset', { offset: -1 }],
    ['an unknown order', { order: 'up' }],
    ['a missing start', { startMs: undefined }],
  ])('refuses %s', async (_what, patch) => {
    const { sut, repository } = setup([]);
    const req = { appId, startMs: 0, endMs: 100, offset: 0, limit: 20, order: 'asc', ...patch } as never;
    expect(await code(sut.query(req))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(repository.query).not.toHaveBeenCalled();
  });

  it('refuses a source that is no uid', async () => {
    const { sut, repository } = setup([]);
    const req = { appId, source: 'a\u0000b', startMs: 0, endMs: 100, offset: 0, limit: 20, order: 'asc' } as const;
    expect(await code(sut.query(req))).toBe(ErrorCode.INVALID_USER_ID);
    expect(repository.query).not.toHaveBeenCalled();
  });

  it('counts with the same filter', async () => {
    const { sut, repository } = setup([rec('a', 1), rec('a', 2)]);
    expect(await sut.count({ appId, destination: 'room', startMs: 0, endMs: 10, textOnly: true })).toEqual({ count: 2 });
    expect(repository.count).toHaveBeenCalledWith(appId, { source: undefined, destination: 'room', startMs: 0, endMs: 10, textOnly: true });
  });
});
