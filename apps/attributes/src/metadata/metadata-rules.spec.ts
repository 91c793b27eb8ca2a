import { ErrorCode, ParleyError, type MetadataItemData, type Uid } from '@parley/contracts';
import { MetadataOp } from '@parley/contracts/internal';
import { readAttributesConfig } from '../config/attributes.config';
import {
  applyPlan,
  changeDetail,
  channelMetadataLimits,
  parseChange,
  planWrite,
  userMetadataLimits,
  type MetadataChange,
  type MetadataState,
} from './metadata-rules';

const limits = userMetadataLimits(readAttributesConfig({}));
const alice = 'alice' as Uid;

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return (err as ParleyError).code;
  }
  return undefined;
}

const item = (key: string, value: string, revision: number): MetadataItemData => ({ key, value, revision, updateTs: 0, authorUserId: '' });
function state(majorRevision: number, ...items: MetadataItemData[]): MetadataState {
  return { majorRevision, items: new Map(items.map((i) => [i.key, i])) };
}
const change = (op: MetadataChange['op'], items: { key: string; value?: string; revision?: number }[] = [], majorRevision?: number) =>
  parseChange({ op, items, majorRevision }, alice, limits);

describe('parseChange', () => {
  it('reads the op, the items and the options; value and revision default to "" and -1', () => {
    expect(parseChange({ op: 'set', items: [{ key: 'a', value: '1', revision: 4 }, { key: 'b' }], majorRevision: 7, recordTs: true }, alice, limits)).toEqual({
      op: MetadataOp.SET,
      items: [
        { key: 'a', value: '1', revision: 4 },
        { key: 'b', value: '', revision: -1 },
      ],
      majorRevision: 7,
      recordTs: true,
      recordUserId: false,
      author: alice,
    });
    expect(parseChange({ op: 'clear', items: [{ key: 'ignored' }] }, alice, limits).items).toEqual([]);
    expect(parseChange({ op: 'delete', items: [{ key: 'a', value: 'x'.repeat(9000) }] }, alice, limits).items).toEqual([{ key: 'a', value: '', revision: -1 }]);
    expect(parseChange({ op: 'set', items: [] }, alice, limits).items).toEqual([]);
  });

  it('refuses bad ops, keys, values, revisions and options with INVALID_ARGUMENT', () => {
    for (const req of [
      { op: 'upsert', items: [{ key: 'a' }] },
      { op: 'add', items: [] },
      { op: 'update' },
      { op: 'add', items: 'a' },
      { op: 'add', items: [null] },
      { op: 'add', items: [{ key: 'has_underscore' }] },
      { op: 'add', items: [{ key: 'null' }] },
      { op: 'add', items: [{ key: 'x'.repeat(33) }] },
      { op: 'add', items: [{ key: 'a', value: 5 }] },
      { op: 'add', items: [{ key: 'a', revision: -2 }] },
      { op: 'add', items: [{ key: 'a', revision: 1.5 }] },
      { op: 'add', items: [{ key: 'a' }], majorRevision: '3' },
      { op: 'add', items: [{ key: 'a' }], recordTs: 'yes' },
    ]) {
      expect(codeOf(() => parseChange(req, alice, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });

  it('refuses a key named twice with DUPLICATE_KEY and calls over the limits with SIZE_OVERFLOW', () => {
    expect(codeOf(() => change('set', [{ key: 'a' }, { key: 'a' }]))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(codeOf(() => change('delete', [{ key: 'a' }, { key: 'b' }, { key: 'a' }]))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(codeOf(() => change('add', [{ key: 'a', value: 'x'.repeat(8193) }]))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(
      codeOf(() =>
        change(
          'add',
          Array.from({ length: 33 }, (_, i) => ({ key: `k${i}` })),
        ),
      ),
    ).toBe(ErrorCode.SIZE_OVERFLOW);
    const big = ['a', 'b'].map((key) => ({ key, value: 'x'.repeat(8192) })); // 16386 bytes
    expect(codeOf(() => change('set', big))).toBe(ErrorCode.SIZE_OVERFLOW);
    const channel = channelMetadataLimits(readAttributesConfig({}));
    expect(parseChange({ op: 'set', items: big }, alice, channel).items).toHaveLength(2);
  });
});

describe('planWrite', () => {
  const current = state(10, item('a', '1', 8), item('b', '2', 10));

  it('set replaces the whole set; add adds new keys; update changes existing ones; delete and clear remove', () => {
    expect(planWrite(current, change('set', [{ key: 'c', value: '3' }]), limits)).toEqual({
      upserts: [{ key: 'c', value: '3', revision: -1 }],
      deletes: [],
      replace: true,
    });
    expect(planWrite(current, change('add', [{ key: 'c', value: '3' }]), limits)).toMatchObject({ replace: false });
    expect(planWrite(current, change('update', [{ key: 'a', value: 'one' }]), limits)).toMatchObject({ upserts: [{ key: 'a', value: 'one' }] });
    expect(planWrite(current, change('delete', [{ key: 'a' }, { key: 'missing' }]), limits)).toEqual({
      upserts: [],
      deletes: ['a', 'missing'],
      replace: false,
    });
    expect(planWrite(current, change('clear'), limits)).toEqual({ upserts: [], deletes: [], replace: true });
  });

  it('add of an existing key is DUPLICATE_KEY, update of a missing one KEY_NOT_FOUND', () => {
    expect(codeOf(() => planWrite(current, change('add', [{ key: 'c' }, { key: 'a' }]), limits))).toBe(ErrorCode.DUPLICATE_KEY);
    expect(codeOf(() => planWrite(current, change('update', [{ key: 'a' }, { key: 'c' }]), limits))).toBe(ErrorCode.KEY_NOT_FOUND);
  });

  it('compares majorRevision and item revisions (a missing key has 0); -1 checks nothing', () => {
    expect(codeOf(() => planWrite(current, change('update', [{ key: 'a' }], 9), limits))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(planWrite(current, change('update', [{ key: 'a' }], 10), limits).upserts).toHaveLength(1);
    expect(codeOf(() => planWrite(current, change('update', [{ key: 'a', revision: 7 }]), limits))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(
      planWrite(
        current,
        change('update', [
          { key: 'a', revision: 8 },
          { key: 'b', revision: -1 },
        ]),
        limits,
      ).upserts,
    ).toHaveLength(2);
    expect(planWrite(current, change('add', [{ key: 'c', revision: 0 }]), limits).upserts).toHaveLength(1);
    expect(codeOf(() => planWrite(current, change('set', [{ key: 'c', revision: 3 }]), limits))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(codeOf(() => planWrite(current, change('delete', [{ key: 'b', revision: 8 }]), limits))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(codeOf(() => planWrite(current, change('clear', [], 11), limits))).toBe(ErrorCode.OUTDATED_REVISION);
    expect(planWrite(state(0), change('set', [{ key: 'a' }], 0), limits).upserts).toHaveLength(1); // never written: 0
    // The revision check comes before the op's own rule: a stale add is outdated, not a duplicate.
    expect(codeOf(() => planWrite(current, change('add', [{ key: 'a', revision: 1 }]), limits))).toBe(ErrorCode.OUTDATED_REVISION);
  });

  it('refuses a resulting set over the limits, and lets a set over lowered limits shrink', () => {
    const full = state(1, ...Array.from({ length: 32 }, (_, i) => item(`k${i}`, 'v', 1)));
    expect(codeOf(() => planWrite(full, change('add', [{ key: 'extra', value: 'x' }]), limits))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(planWrite(full, change('update', [{ key: 'k0', value: 'w' }]), limits).upserts).toHaveLength(1);
    expect(planWrite(full, change('set', [{ key: 'only' }]), limits).replace).toBe(true);
    const heavy = state(1, item('a', 'x'.repeat(8000), 1), item('b', 'x'.repeat(8000), 1));
    expect(codeOf(() => planWrite(heavy, change('add', [{ key: 'c', value: 'x'.repeat(400) }]), limits))).toBe(ErrorCode.SIZE_OVERFLOW);
    const tight = { ...limits, maxItems: 1 };
    expect(planWrite(full, change('delete', [{ key: 'k0' }]), tight).deletes).toEqual(['k0']);
  });
});

describe('applyPlan', () => {
  it('gives written items the new revision (and time and writer when asked), keeps the others, sorts by key', () => {
    const current = state(10, item('b', '2', 10), item('a', '1', 8));
    const c = parseChange({ op: 'update', items: [{ key: 'b', value: 'two' }], recordTs: true, recordUserId: true }, alice, limits);
    expect(applyPlan(current, planWrite(current, c, limits), c, 15, 1_700_000_000_000)).toEqual({
      majorRevision: 15,
      items: [item('a', '1', 8), { key: 'b', value: 'two', revision: 15, updateTs: 1_700_000_000_000, authorUserId: 'alice' }],
    });
    const s = change('set', [{ key: 'z', value: '26' }]);
    expect(applyPlan(current, planWrite(current, s, limits), s, 16, 5)).toEqual({ majorRevision: 16, items: [item('z', '26', 16)] });
    const d = change('delete', [{ key: 'a' }]);
    expect(applyPlan(current, planWrite(current, d, limits), d, 17, 5)).toEqual({ majorRevision: 17, items: [item('b', '2', 10)] });
  });
});

describe('changeDetail', () => {
  const current = state(10, item('b', '2', 10), item('a', '1', 8));
  const detail = (c: MetadataChange, revision: number) => changeDetail(current, applyPlan(current, planWrite(current, c, limits), c, revision, 5), c);

  it('names the items a write left with its revision and the keys it removed', () => {
    expect(detail(change('update', [{ key: 'b', value: 'two' }]), 15)).toEqual({
      op: 'update',
      majorRevision: 15,
      author: 'alice',
      items: [item('b', 'two', 15)],
      deleted: [],
    });
    expect(detail(change('set', [{ key: 'z', value: '26' }]), 16)).toEqual({
      op: 'set',
      majorRevision: 16,
      author: 'alice',
      items: [item('z', '26', 16)],
      deleted: ['a', 'b'],
    });
    expect(detail(change('delete', [{ key: 'a' }, { key: 'missing' }]), 17)).toMatchObject({ items: [], deleted: ['a'] });
    expect(detail(change('clear'), 18)).toMatchObject({ op: 'clear', majorRevision: 18, items: [], deleted: ['a', 'b'] });
  });
});
