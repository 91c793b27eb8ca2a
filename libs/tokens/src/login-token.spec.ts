import { buildLoginToken } from './login-token';
import { generateAppId, generateCertificate, verifyRtmToken } from './token-verifier';

const appId = generateAppId();
const certificate = generateCertificate();
const now = 1_800_000_000;

describe('buildLoginToken', () => {
  it.each(['007', '006'] as const)('makes a %s token that verifies for its uid until expiresAt', (format) => {
    const { token, expiresAt } = buildLoginToken({ format, appId, certificate, uid: 'alice', expireSeconds: 3_600, nowSeconds: now });
    expect(token.startsWith(format)).toBe(true);
    expect(expiresAt).toBe(now + 3_600);
    expect(verifyRtmToken({ token, appId, certificate, uid: 'alice', nowSeconds: now + 3_599 })).toEqual({ ok: true, version: format, expiresAt: now + 3_600 });
    expect(verifyRtmToken({ token, appId, certificate, uid: 'alice', nowSeconds: now + 3_601 })).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(verifyRtmToken({ token, appId, certificate, uid: 'bob', nowSeconds: now })).toMatchObject({ ok: false });
  });
});
