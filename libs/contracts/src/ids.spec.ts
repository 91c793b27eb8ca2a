import { ErrorCode } from './errors';
import { requireAppId, requireChannelId, requireUid } from './require';
import { fromSubjectToken, isAppId, isChannelId, isUid, subjectToken } from './ids';

describe('ids', () => {
  it.each([
    ['alice', true],
    ['a b', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['null', false],
    [' lead', false],
    ['tab\there', false],
    ['new\nline', false],
    ['ünïcode', false],
    ['!#$%&()+,.:;<=>?@[]^{|}~-_', true],
    ['quote"', false],
    ['slash/', false],
  ])('isUid(%j) is %s', (uid, ok) => {
    expect(isUid(uid)).toBe(ok);
    expect(isChannelId(uid)).toBe(ok);
  });

  it('checks app ids like agora-rtm-sdk', () => {
    expect(isAppId('0123456789abcdefABCDEF0123456789')).toBe(true);
    expect(isAppId('0123456789abcdef0123456789abcde')).toBe(false);
    expect(isAppId('0123456789abcdef0123456789abcde!')).toBe(false);
    expect(isAppId(42)).toBe(false);
  });

  it('encodes any id into one NATS subject token, injectively and reversibly', () => {
    const ids = ['alice', 'a.b', 'a*b', 'a>b', 'a b', '%41', 'A', 'a%2Eb', '~x', 'x'.repeat(64), '!#$%&()+,.:;<=>?@[]^{|}~-_'];
    const tokens = ids.map(subjectToken);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_%-]+$/);
    expect(new Set(tokens).size).toBe(ids.length);
    expect(tokens.map(fromSubjectToken)).toEqual(ids);
    expect(subjectToken('plain_id-1')).toBe('plain_id-1');
  });
});

describe('require*', () => {
  it('returns valid ids and throws the typed error a service answers with', () => {
    expect(requireAppId('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    expect(() => requireAppId('nope')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_APP_ID }));
    expect(requireUid('alice')).toBe('alice');
    expect(() => requireUid(' alice')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_USER_ID }));
    expect(requireChannelId('room')).toBe('room');
    expect(() => requireChannelId('a\nb')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
