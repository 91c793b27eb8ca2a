import { RtmError } from '../errors';
import {
  CHANNEL_ATTRIBUTE_LIMITS,
  USER_ATTRIBUTE_LIMITS,
  checkAttributes,
  checkChannelOptions,
  checkKeys,
  isAttributeKey,
  toAttributesMap,
  toChannelAttributes,
} from './attribute-checks';

const codeOf = (result: unknown): number | undefined => (result instanceof RtmError ? result.code : undefined);

describe('attribute checks', () => {
  it('keys are strings of 1–32 UTF-8 bytes', () => {
    expect(isAttributeKey('k'.repeat(32))).toBe(true);
    expect(isAttributeKey('€'.repeat(10) + 'ab')).toBe(true); // 32 bytes
    expect(isAttributeKey('€'.repeat(11))).toBe(false); // 33 bytes
    expect(isAttributeKey('')).toBe(false);
    expect(isAttributeKey(1)).toBe(false);
  });

  it('returns a copy of valid attributes; a "__proto__" key stays an own key', () => {
    const input = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
    const copy = checkAttributes(input, USER_ATTRIBUTE_LIMITS) as Record<string, string>;
    expect(copy).not.toBe(input);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(checkAttributes({}, USER_ATTRIBUTE_LIMITS)).toEqual({});
    expect(checkAttributes(Object.create(null), USER_ATTRIBUTE_LIMITS)).toEqual({});
  });

  it('INVALID_ARGUMENT (3) for the shape, SIZE_OVERFLOW (4) for sizes', () => {
    expect(codeOf(checkAttributes([], USER_ATTRIBUTE_LIMITS))).toBe(3);
    expect(codeOf(checkAttributes({ a: 'v'.repeat(8193) }, USER_ATTRIBUTE_LIMITS))).toBe(4);
    // an invalid entry wins over an oversized one
    expect(codeOf(checkAttributes({ a: 'v'.repeat(8193), b: '' }, USER_ATTRIBUTE_LIMITS))).toBe(3);
    const big = { a: 'v'.repeat(8000), b: 'v'.repeat(8000), c: 'v'.repeat(8000) };
    expect(codeOf(checkAttributes(big, USER_ATTRIBUTE_LIMITS))).toBe(4);
    expect(checkAttributes(big, CHANNEL_ATTRIBUTE_LIMITS)).toEqual(big);
  });

  it('key lists have 1–32 valid keys', () => {
    expect(checkKeys(['a', 'b'])).toEqual(['a', 'b']);
    expect(codeOf(checkKeys([]))).toBe(3);
    expect(codeOf(checkKeys(Array.from({ length: 33 }, (_, i) => `${i}`)))).toBe(3);
    expect(codeOf(checkKeys([null]))).toBe(3);
  });

  it('channel options give the notify flag', () => {
    expect(checkChannelOptions(undefined)).toBe(false);
    expect(checkChannelOptions({})).toBe(false);
    expect(checkChannelOptions({ enableNotificationToChannelMembers: true })).toBe(true);
    expect(codeOf(checkChannelOptions(null))).toBe(3);
    expect(codeOf(checkChannelOptions({ enableNotificationToChannelMembers: 1 }))).toBe(3);
  });

  it('server maps are cleaned of malformed entries', () => {
    expect(toAttributesMap(null)).toEqual({});
    expect(toAttributesMap({ a: 'x', b: 1 })).toEqual({ a: 'x' });
    expect(toChannelAttributes({ a: { value: 'x', lastUpdateUserId: 'u', lastUpdateTs: 3 }, b: null })).toEqual({
      a: { value: 'x', lastUpdateUserId: 'u', lastUpdateTs: 3 },
    });
  });
});
