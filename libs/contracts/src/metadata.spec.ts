import { ErrorCode } from './errors';
import { isMetadataKey, METADATA_LIMITS } from './metadata';
import { Op } from './protocol';
import { parseRequestArgs } from './schemas/requests.schema';

describe('metadata keys', () => {
  it('take the uid charset without "_", 1–32 characters, no leading space, not "null"', () => {
    for (const ok of ['a', 'mode', 'seat 12', 'x'.repeat(METADATA_LIMITS.KEY_MAX_BYTES), 'a-b.c:d@e', '!#$%&()+,.:;<=>?@[]^{|}~']) {
      expect(isMetadataKey(ok)).toBe(true);
    }
    for (const bad of ['', 'null', 'has_underscore', ' lead', 'x'.repeat(33), 'tab\there', 'ключ', 'a\u0000', 7, null, undefined]) {
      expect(isMetadataKey(bad)).toBe(false);
    }
    expect(isMetadataKey('x'.repeat(40), 64)).toBe(true);
  });
});

describe('metadata request schemas', () => {
  it('take items with optional value and revision and the RtmMetadataOptions', () => {
    const args = { items: [{ key: 'a', value: '1', revision: 3 }, { key: 'b' }], majorRevision: -1, recordTs: true, recordUserId: false };
    expect(parseRequestArgs(Op.SET_USER_METADATA, args)).toEqual({ ok: true, args });
    expect(parseRequestArgs(Op.CLEAR_CHANNEL_METADATA, { ch: 'room' })).toEqual({ ok: true, args: { ch: 'room' } });
  });

  it('refuse unknown fields, at the top and inside items (a misspelt option must not turn a CAS into a blind write)', () => {
    expect(parseRequestArgs(Op.UPDATE_USER_METADATA, { items: [], majorRevison: 3 })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.UPDATE_CHANNEL_METADATA, { ch: 'c', items: [{ key: 'a', rev: 1 }] })).toMatchObject({
      ok: false,
      code: ErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('items.0'),
    });
    expect(parseRequestArgs(Op.GET_USER_METADATA, { uid: 'bob', extra: 1 })).toMatchObject({ ok: false });
  });

  it('bound revisions, lists and strings, and map the uid field to INVALID_USER_ID', () => {
    expect(parseRequestArgs(Op.SET_USER_METADATA, { items: [{ key: 'a', revision: -2 }] })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.SET_USER_METADATA, { items: [{ key: 'a', revision: 1.5 }] })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.SET_USER_METADATA, { items: [], majorRevision: Number.NaN })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.SET_USER_METADATA, { items: Array.from({ length: 257 }, (_, i) => ({ key: `k${i}` })) })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.SET_USER_METADATA, { items: [{ key: 'a', value: 'x\u0000' }] })).toMatchObject({ ok: false });
    expect(parseRequestArgs(Op.GET_USER_METADATA, { uid: 5 })).toMatchObject({ ok: false, code: ErrorCode.INVALID_USER_ID });
    expect(parseRequestArgs(Op.SUBSCRIBE_USER_METADATA, { uids: ['a', 5] })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
    expect(parseRequestArgs(Op.SET_CHANNEL_METADATA, { items: [] })).toMatchObject({ ok: false, code: ErrorCode.INVALID_ARGUMENT });
  });
});
