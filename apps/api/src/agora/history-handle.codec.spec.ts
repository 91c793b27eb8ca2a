import { decodeHistoryHandle, encodeHistoryHandle, type HistoryQuery } from './history-handle.codec';

const appId = '0123456789abcdef0123456789abcdef';
const base: HistoryQuery = { appId, startMs: 1_564_622_530_000, endMs: 1_564_623_130_000, offset: 0, limit: 20, order: 'asc' };
const raw = (json: unknown) => Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');

describe('history handles (stateless)', () => {
  it('round-trips every normalized query, URL-safe, absent source or destination left out', () => {
    const long = 'u'.repeat(64);
    for (const q of [
      { ...base, source: 'alice' },
      { ...base, destination: 'lobby', offset: 100_000, limit: 100, order: 'desc' as const },
      { ...base, source: long, destination: `${'c'.repeat(62)} ~` },
    ]) {
      const handle = encodeHistoryHandle(q);
      expect(handle).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(handle.length).toBeLessThanOrEqual(512);
      expect(decodeHistoryHandle(handle)).toEqual(q);
    }
    expect(JSON.parse(Buffer.from(encodeHistoryHandle({ ...base, source: 'a' }), 'base64url').toString())).toEqual({
      v: 1,
      a: appId,
      s: 'a',
      st: base.startMs,
      et: base.endMs,
      o: 0,
      l: 20,
      r: 'asc',
    });
  });

  it('is the same handle for the same query on any replica', () => {
    expect(encodeHistoryHandle({ ...base, source: 'a' })).toBe(
      encodeHistoryHandle({ order: 'asc', limit: 20, offset: 0, endMs: base.endMs, startMs: base.startMs, source: 'a', appId }),
    );
  });

  it('decodes nothing it did not make: not base64url, not JSON, another version, out of bounds, extra keys', () => {
    const ok = { v: 1, a: appId, s: 'a', st: 1, et: 2, o: 0, l: 20, r: 'asc' };
    expect(decodeHistoryHandle(raw(ok))).not.toBeNull();
    for (const handle of [
      '',
      'a+b/c=',
      'not json',
      Buffer.from('not json').toString('base64url'),
      raw({ ...ok, v: 2 }),
      raw({ ...ok, a: 'short' }),
      raw({ ...ok, s: undefined }),
      raw({ ...ok, st: 2, et: 2 }),
      raw({ ...ok, st: -1 }),
      raw({ ...ok, o: 100_001 }),
      raw({ ...ok, l: 30 }),
      raw({ ...ok, r: 'up' }),
      raw({ ...ok, s: ' a' }),
      raw({ ...ok, x: 1 }),
      raw([ok]),
      raw(null),
      'A'.repeat(513),
    ]) {
      expect(decodeHistoryHandle(handle)).toBeNull();
    }
  });
});
