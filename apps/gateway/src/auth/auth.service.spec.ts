import { ErrorCode, type AppId } from '@parley/contracts';
import { build006, build007 } from '@parley/tokens';
import type { AppRecord, AppsRepository } from './apps.repository';
import { AuthService } from './auth.service';

const certified: AppRecord = {
  id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId,
  certificate: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  previous: null,
  previousUntil: 0,
};
const staticApp: AppRecord = { id: 'ffffeeeeddddccccbbbbaaaa99998888' as AppId, certificate: null, previous: null, previousUntil: 0 };
/** Rotated: the old certificate still verifies until `previousUntil` (set per test). */
const OLD_CERT = '11112222333344445555666677778888';
const rotated: AppRecord = {
  id: 'b1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId,
  certificate: 'aaaabbbbccccddddeeeeffff00001111',
  previous: OLD_CERT,
  previousUntil: 0,
};

describe('AuthService', () => {
  const apps = { find: jest.fn((id: string) => Promise.resolve([certified, staticApp, rotated].find((a) => a.id === id) ?? null)) };
  const sut = new AuthService(apps as unknown as AppsRepository);
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: { code: number }) => err.code,
    );
  const now = Math.floor(Date.now() / 1000);

  it('lets static apps in without a token (or with the app id as token)', async () => {
    await expect(sut.authenticate(staticApp.id, 'u1', undefined)).resolves.toEqual({ appId: staticApp.id, uid: 'u1', tokenExpiresAt: 0 });
    await expect(sut.authenticate(staticApp.id, 'u1', '')).resolves.toMatchObject({ tokenExpiresAt: 0 });
    await expect(sut.authenticate(staticApp.id, 'u1', staticApp.id)).resolves.toMatchObject({ tokenExpiresAt: 0 });
  });

  it('refuses a real token on a static app (the hosted service once accepted it)', async () => {
    expect(await code(sut.authenticate(staticApp.id, 'u1', build007(certified.id, certified.certificate!, 'u1', 600)))).toBe(ErrorCode.INVALID_TOKEN);
  });

  it('accepts 006 and 007 tokens of the app and uid, reporting the privilege expiry in ms', async () => {
    const t7 = build007(certified.id, certified.certificate!, 'u1', 600, { issueTs: now });
    await expect(sut.authenticate(certified.id, 'u1', t7)).resolves.toMatchObject({ tokenExpiresAt: (now + 600) * 1000 });
    const t6 = build006(certified.id, certified.certificate!, 'u1', now + 900);
    await expect(sut.authenticate(certified.id, 'u1', t6)).resolves.toMatchObject({ tokenExpiresAt: (now + 900) * 1000 });
  });

  it.each<[string, () => unknown, number]>([
    ['no token', () => undefined, ErrorCode.INVALID_TOKEN],
    ['other uid', () => build007(certified.id, certified.certificate!, 'u2', 600), ErrorCode.INVALID_USER_ID],
    ['other certificate', () => build007(certified.id, '00000000000000000000000000000000', 'u1', 600), ErrorCode.INVALID_TOKEN],
    ['expired', () => build007(certified.id, certified.certificate!, 'u1', 60, { issueTs: now - 3600 }), ErrorCode.TOKEN_EXPIRED],
    ['garbage', () => '007garbage', ErrorCode.INVALID_TOKEN],
    ['not a string', () => 42, ErrorCode.INVALID_ARGUMENT],
  ])('refuses %s on a certified app', async (_what, token, expected) => {
    expect(await code(sut.authenticate(certified.id, 'u1', token()))).toBe(expected);
  });

  describe('after a certificate rotation', () => {
    afterEach(() => (rotated.previousUntil = 0));

    it('accepts tokens of the new certificate, and of the replaced one until the overlap ends', async () => {
      rotated.previousUntil = Date.now() + 60_000;
      const fresh = build007(rotated.id, rotated.certificate!, 'u1', 600, { issueTs: now });
      const old7 = build007(rotated.id, OLD_CERT, 'u1', 600, { issueTs: now });
      const old6 = build006(rotated.id, OLD_CERT, 'u1', now + 900);
      await expect(sut.authenticate(rotated.id, 'u1', fresh)).resolves.toMatchObject({ tokenExpiresAt: (now + 600) * 1000 });
      await expect(sut.authenticate(rotated.id, 'u1', old7)).resolves.toMatchObject({ tokenExpiresAt: (now + 600) * 1000 });
      await expect(sut.authenticate(rotated.id, 'u1', old6)).resolves.toMatchObject({ tokenExpiresAt: (now + 900) * 1000 });
    });

    it('refuses tokens of the replaced certificate once the overlap is over', async () => {
      rotated.previousUntil = Date.now() - 1;
      expect(await code(sut.authenticate(rotated.id, 'u1', build007(rotated.id, OLD_CERT, 'u1', 600)))).toBe(ErrorCode.INVALID_TOKEN);
    });

    it('keeps the precise rejection of an old-certificate token within the overlap (expired, other uid)', async () => {
      rotated.previousUntil = Date.now() + 60_000;
      const expired = build007(rotated.id, OLD_CERT, 'u1', 60, { issueTs: now - 3600 });
      expect(await code(sut.authenticate(rotated.id, 'u1', expired))).toBe(ErrorCode.TOKEN_EXPIRED);
      expect(await code(sut.authenticate(rotated.id, 'u1', build007(rotated.id, OLD_CERT, 'u2', 600)))).toBe(ErrorCode.INVALID_USER_ID);
      expect(await code(sut.authenticate(rotated.id, 'u1', build007(rotated.id, '00000000000000000000000000000000', 'u1', 600)))).toBe(ErrorCode.INVALID_TOKEN);
    });
  });

  it('refuses unknown apps and malformed ids before touching the database', async () => {
    apps.find.mockClear();
    expect(await code(sut.authenticate('short', 'u1', undefined))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await code(sut.authenticate(certified.id, ' u1', undefined))).toBe(ErrorCode.INVALID_USER_ID);
    expect(apps.find).not.toHaveBeenCalled();
    expect(await code(sut.authenticate('0000000000000000000000000000ffff', 'u1', undefined))).toBe(ErrorCode.INVALID_APP_ID);
  });
});
