import { Logger } from '@nestjs/common';
import type { AppId, Uid } from '@parley/contracts';
import { generateCertificate, verifyRtmToken } from '@parley/tokens';
import type { ApiConfig } from '../config/api.config';
import type { AdminAppsRepository, AppRow } from './admin-apps.repository';
import { AdminTokensService } from './admin-tokens.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const certificate = generateCertificate();
const nowMs = 1_800_000_000_000;

function setup(row: Partial<AppRow> | null, minting = true) {
  const apps = { find: jest.fn(async () => (row === null ? null : ({ id: appId, certificate, ...row } as AppRow))) };
  const sut = new AdminTokensService(apps as unknown as AdminAppsRepository, { ADMIN_TOKEN_MINTING: minting } as ApiConfig);
  return { sut, apps };
}

describe('AdminTokensService.mint', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('makes a 007 token of the app’s certificate for the uid, valid an hour by default', async () => {
    const { sut } = setup({});
    const minted = await sut.mint(appId, { uid: 'alice' as Uid }, nowMs);
    expect(minted).toEqual({ token: expect.stringMatching(/^007/), uid: 'alice' as Uid, format: '007', expiresAt: new Date(nowMs + 3_600_000).toISOString() });
    expect(verifyRtmToken({ token: minted.token, appId, certificate, uid: 'alice' as Uid, nowSeconds: nowMs / 1000 })).toMatchObject({
      ok: true,
      version: '007',
    });
  });

  it('makes a 006 token with the given lifetime', async () => {
    const minted = await setup({}).sut.mint(appId, { uid: 'bob' as Uid, format: '006', expireSeconds: 60 }, nowMs);
    expect(minted).toMatchObject({ format: '006', expiresAt: new Date(nowMs + 60_000).toISOString() });
    expect(verifyRtmToken({ token: minted.token, appId, certificate, uid: 'bob' as Uid, nowSeconds: nowMs / 1000 + 61 })).toEqual({
      ok: false,
      reason: 'EXPIRED',
    });
  });

  it.each([
    ['an unknown app', null, 404, 'not_found'],
    ['a static app', { certificate: null }, 400, 'app_not_certified'],
  ])('refuses %s', async (_what, row, status, code) => {
    await expect(setup(row).sut.mint(appId, { uid: 'alice' as Uid }, nowMs)).rejects.toMatchObject({ status, code });
  });

  it('refuses an app id that is not hex (Agora’s builders take none)', async () => {
    const other = 'zzzzc3d4e5f60718293a4b5c6d7e8f90' as AppId;
    await expect(setup({ id: other }).sut.mint(other, { uid: 'alice' as Uid }, nowMs)).rejects.toMatchObject({ status: 400, code: 'app_not_hex' });
  });

  it('refuses everything, before any lookup, when ADMIN_TOKEN_MINTING is off', async () => {
    const { sut, apps } = setup({}, false);
    await expect(sut.mint(appId, { uid: 'alice' as Uid }, nowMs)).rejects.toMatchObject({ status: 403, code: 'token_minting_disabled' });
    expect(apps.find).not.toHaveBeenCalled();
  });
});
