import { ErrorCode, ParleyError } from '@parley/contracts';
import { readAttributesConfig } from '../config/attributes.config';
import {
  byteLength,
  channelLimits,
  checkKey,
  checkMerged,
  merge,
  parseChange,
  parseKeyFilter,
  totalBytes,
  userLimits,
  type AttributeChange,
} from './attribute-rules';

const limits = userLimits(readAttributesConfig({}));

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
    throw err;
  }
  return undefined;
}

const many = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

describe('attribute rules', () => {
  it('takes the published limits by default, user and channel apart', () => {
    expect(limits).toEqual({ keyMaxBytes: 32, valueMaxBytes: 8192, maxKeys: 32, maxBytes: 16384, keysPerCall: 32 });
    expect(channelLimits(readAttributesConfig({ CHANNEL_ATTRS_MAX_BYTES: '1000' }))).toMatchObject({ maxKeys: 32, maxBytes: 1000 });
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(byteLength('abc')).toBe(3);
    expect(byteLength('é')).toBe(2);
    expect(byteLength('中')).toBe(3);
    expect(byteLength('😀')).toBe(4);
    expect(totalBytes(new Map([['ké', '中😀']]))).toBe(3 + 7);
  });

  describe('keys', () => {
    it('accepts 1–32 bytes of visible characters', () => {
      expect(checkKey('a', limits)).toBe('a');
      expect(checkKey('x'.repeat(32), limits)).toBe('x'.repeat(32));
      expect(checkKey('中'.repeat(10) + 'ab', limits)).toBe('中'.repeat(10) + 'ab'); // 32 bytes
      expect(checkKey('key-with.punct!@#', limits)).toBeDefined();
    });

    it.each([
      ['empty', ''],
      ['33 bytes', 'x'.repeat(33)],
      ['11 CJK characters (33 bytes)', '中'.repeat(11)],
      ['9 emoji (36 bytes, 18 UTF-16 units)', '😀'.repeat(9)],
      ['a space', 'a b'],
      ['a tab', 'a\tb'],
      ['a newline', 'a\n'],
      ['a control character', 'a\u0000'],
      ['a zero-width space (format char)', 'a\u200bb'],
      ['a no-break space', 'a\u00a0b'],
      ['a lone surrogate', 'a\ud800'],
      ['a number', 42],
      ['null', null],
    ])('rejects %s as INVALID_ARGUMENT', (_what, key) => {
      expect(codeOf(() => checkKey(key, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    });
  });

  describe('set and add', () => {
    it('accepts a valid map and keeps its entries', () => {
      const change = parseChange({ op: 'add', attrs: { a: '1', ключ: 'значение' } }, limits);
      expect(change).toEqual({
        op: 'add',
        attrs: new Map([
          ['a', '1'],
          ['ключ', 'значение'],
        ]),
      });
    });

    it('accepts an empty map for set (a clear) but not for add', () => {
      expect(parseChange({ op: 'set', attrs: {} }, limits)).toEqual({ op: 'set', attrs: new Map() });
      expect(codeOf(() => parseChange({ op: 'add', attrs: {} }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    });

    it.each([
      ['attrs missing', undefined],
      ['attrs null', null],
      ['attrs an array', [['a', '1']]],
      ['attrs a string', 'a=1'],
      ['attrs binary', new Uint8Array([1])],
      ['a bad key', { 'a b': '1' }],
      ['a key over 32 bytes', { ['k'.repeat(33)]: '1' }],
      ['an empty value', { a: '' }],
      ['a number value', { a: 1 }],
      ['a null value', { a: null }],
      ['an object value', { a: { b: '1' } }],
    ])('rejects %s as INVALID_ARGUMENT', (_what, attrs) => {
      expect(codeOf(() => parseChange({ op: 'set', attrs }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
      expect(codeOf(() => parseChange({ op: 'add', attrs }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    });

    it('reports a malformed call as INVALID_ARGUMENT even when it is also too big', () => {
      expect(codeOf(() => parseChange({ op: 'set', attrs: { ...many(40), 'bad key': 'v' } }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    });

    it('allows a value of exactly 8192 bytes and rejects 8193 as SIZE_OVERFLOW', () => {
      expect(codeOf(() => parseChange({ op: 'set', attrs: { a: 'x'.repeat(8192) } }, limits))).toBeUndefined();
      expect(codeOf(() => parseChange({ op: 'set', attrs: { a: 'x'.repeat(8193) } }, limits))).toBe(ErrorCode.SIZE_OVERFLOW);
      // 2731 × 3 bytes = 8193 bytes in 2731 UTF-16 units
      expect(codeOf(() => parseChange({ op: 'set', attrs: { a: '中'.repeat(2731) } }, limits))).toBe(ErrorCode.SIZE_OVERFLOW);
      expect(codeOf(() => parseChange({ op: 'set', attrs: { a: '中'.repeat(2730) } }, limits))).toBeUndefined();
    });

    it('allows 32 attributes in one call and rejects 33 as SIZE_OVERFLOW', () => {
      expect(codeOf(() => parseChange({ op: 'add', attrs: many(32) }, limits))).toBeUndefined();
      expect(codeOf(() => parseChange({ op: 'add', attrs: many(33) }, limits))).toBe(ErrorCode.SIZE_OVERFLOW);
    });

    it('rejects a call over 16 KB of keys and values as SIZE_OVERFLOW, counting key bytes too', () => {
      // keys "a", "b" + two values of 8190 bytes = 16382 bytes; "c" + "y" makes 16384, "é" + "y" 16385
      const fits = { a: 'x'.repeat(8190), b: 'x'.repeat(8190) };
      expect(codeOf(() => parseChange({ op: 'set', attrs: { ...fits, c: 'y' } }, limits))).toBeUndefined();
      expect(codeOf(() => parseChange({ op: 'set', attrs: { ...fits, é: 'y' } }, limits))).toBe(ErrorCode.SIZE_OVERFLOW);
      expect(codeOf(() => parseChange({ op: 'add', attrs: { ...fits, c: 'yy' } }, limits))).toBe(ErrorCode.SIZE_OVERFLOW);
    });
  });

  describe('delete and get keys', () => {
    it('takes 1–32 valid keys and drops duplicates', () => {
      expect(parseChange({ op: 'delete', keys: ['a', 'b', 'a'] }, limits)).toEqual({ op: 'delete', keys: ['a', 'b'] });
      expect(parseKeyFilter(undefined, limits)).toBeUndefined();
      expect(
        parseKeyFilter(
          Array.from({ length: 32 }, (_, i) => `k${i}`),
          limits,
        ),
      ).toHaveLength(32);
    });

    it.each([
      ['missing', undefined],
      ['empty', []],
      ['33 keys', Array.from({ length: 33 }, (_, i) => `k${i}`)],
      ['a bad key', ['ok', 'not ok']],
      ['a number', [1]],
      ['a string', 'a'],
    ])('rejects a key list that is %s as INVALID_ARGUMENT', (_what, keys) => {
      expect(codeOf(() => parseChange({ op: 'delete', keys }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
      if (keys !== undefined) expect(codeOf(() => parseKeyFilter(keys, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    });
  });

  it('rejects an unknown op as INVALID_ARGUMENT', () => {
    expect(codeOf(() => parseChange({ op: 'replace', attrs: {} }, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => parseChange({}, limits))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  describe('merging', () => {
    const current = new Map([
      ['a', '1'],
      ['b', '2'],
    ]);
    const change = (c: object) => parseChange(c, limits) as AttributeChange;

    it('replaces on set, upserts on add, removes on delete and clear', () => {
      expect(merge(current, change({ op: 'set', attrs: { c: '3' } }))).toEqual(new Map([['c', '3']]));
      expect(merge(current, change({ op: 'add', attrs: { b: '20', c: '3' } }))).toEqual(
        new Map([
          ['a', '1'],
          ['b', '20'],
          ['c', '3'],
        ]),
      );
      expect(merge(current, change({ op: 'delete', keys: ['a', 'zz'] }))).toEqual(new Map([['b', '2']]));
      expect(merge(current, change({ op: 'clear' }))).toEqual(new Map());
    });

    it('rejects an add that would leave more than 32 attributes or more than the byte limit', () => {
      const full = new Map(Object.entries(many(31)));
      expect(codeOf(() => checkMerged(full, change({ op: 'add', attrs: { x: '1' } }), limits))).toBeUndefined();
      expect(codeOf(() => checkMerged(full, change({ op: 'add', attrs: { x: '1', y: '1' } }), limits))).toBe(ErrorCode.SIZE_OVERFLOW);
      // an update of an existing key does not add one
      expect(codeOf(() => checkMerged(new Map(Object.entries(many(32))), change({ op: 'add', attrs: { k0: 'new' } }), limits))).toBeUndefined();

      const big = new Map([
        ['a', 'x'.repeat(8000)],
        ['b', 'x'.repeat(8000)],
      ]); // 16002 bytes
      expect(codeOf(() => checkMerged(big, change({ op: 'add', attrs: { c: 'x'.repeat(380) } }), limits))).toBeUndefined(); // 16383
      expect(codeOf(() => checkMerged(big, change({ op: 'add', attrs: { c: 'x'.repeat(382) } }), limits))).toBe(ErrorCode.SIZE_OVERFLOW); // 16385
      // replacing a big value with a small one makes room
      expect(codeOf(() => checkMerged(big, change({ op: 'add', attrs: { a: 'x', c: 'x'.repeat(5000) } }), limits))).toBeUndefined();
    });

    it('never rejects removals, even of a set over lowered limits', () => {
      const over = new Map(Object.entries(many(40)));
      expect(codeOf(() => checkMerged(over, change({ op: 'delete', keys: ['k0'] }), limits))).toBeUndefined();
      expect(codeOf(() => checkMerged(over, change({ op: 'clear' }), limits))).toBeUndefined();
    });
  });
});
