import type { AppId } from '@parley/contracts';
import { parseAccessToken006, parseAccessToken007, verifyRtmToken } from '@parley/tokens';
import { runCli } from '../cli';
import { appRecord, newAppsRepositoryMock, newDeps } from '../../test/cli.mocks';

const ID = '0123456789abcdef0123456789abcdef' as AppId;
const CERT = '5cfd2fd1755d40ecb72977518be15d3b';
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0) / 1000; // newDeps' clock

describe('token command', () => {
  let apps: ReturnType<typeof newAppsRepositoryMock>;
  let sut: (...argv: string[]) => Promise<number>;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    apps = newAppsRepositoryMock();
    const d = newDeps(apps);
    out = d.out;
    err = d.err;
    sut = (...argv) => runCli(argv, d.deps);
  });

  it('signs a 007 token valid 24 h with the certificate from the database', async () => {
    apps.find.mockResolvedValue(appRecord({ certificate: CERT }));
    expect(await sut('token', '--app', ID, '--uid', 'alice')).toBe(0);
    expect(apps.find).toHaveBeenCalledWith(ID);
    expect(out).toHaveLength(1);
    expect(verifyRtmToken({ token: out[0]!, appId: ID, certificate: CERT, uid: 'alice', nowSeconds: NOW })).toEqual({
      ok: true,
      version: '007',
      expiresAt: NOW + 86_400,
    });
    expect(verifyRtmToken({ token: out[0]!, appId: ID, certificate: CERT, uid: 'bob', nowSeconds: NOW })).toEqual({ ok: false, reason: 'WRONG_UID' });
    expect(parseAccessToken007(out[0]!)).toMatchObject({ issueTs: NOW, expire: 86_400 });
  });

  it('signs a 006 token with --expire longer than a day, still valid until then', async () => {
    apps.find.mockResolvedValue(appRecord({ certificate: CERT }));
    expect(await sut('token', '--app', ID, '--uid', 'alice', '--format', '006', '--expire', '172800')).toBe(0);
    expect(out[0]).toMatch(/^006/);
    expect(verifyRtmToken({ token: out[0]!, appId: ID, certificate: CERT, uid: 'alice', nowSeconds: NOW + 172_000 })).toEqual({
      ok: true,
      version: '006',
      expiresAt: NOW + 172_800,
    });
    expect(parseAccessToken006(out[0]!)).toMatchObject({ ts: NOW + 172_800 });
  });

  it("signs a short 006 token whose token validity stays the library's 24 h", async () => {
    apps.find.mockResolvedValue(appRecord({ certificate: CERT }));
    expect(await sut('token', '--app', ID, '--uid', 'alice', '--format', '006', '--expire', '60')).toBe(0);
    expect(verifyRtmToken({ token: out[0]!, appId: ID, certificate: CERT, uid: 'alice', nowSeconds: NOW + 61 })).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(parseAccessToken006(out[0]!)).toMatchObject({ ts: NOW + 86_400 });
  });

  it('uses --certificate without touching the database, and prints JSON', async () => {
    expect(await sut('token', '--app', ID, '--uid', 'u 1', '--certificate', CERT, '--expire', '600', '--json')).toBe(0);
    expect(apps.find).not.toHaveBeenCalled();
    const json = JSON.parse(out.join('\n')) as { token: string };
    expect(json).toEqual({ token: expect.stringMatching(/^007/), appId: ID, uid: 'u 1', format: '007', expiresAt: new Date((NOW + 600) * 1000).toISOString() });
    expect(verifyRtmToken({ token: json.token, appId: ID, certificate: CERT, uid: 'u 1', nowSeconds: NOW + 599 }).ok).toBe(true);
  });

  it('refuses a static app with a clear message (exit 2)', async () => {
    apps.find.mockResolvedValue(appRecord({ certificate: null }));
    expect(await sut('token', '--app', ID, '--uid', 'alice')).toBe(2);
    expect(err[0]).toBe(
      `parley: app ${ID} is static (no certificate): its clients log in without a token. Give it a certificate first: parley app certificate --app ${ID} --generate`,
    );
    expect(out).toEqual([]);
  });

  it('refuses an unknown app (exit 2)', async () => {
    apps.find.mockResolvedValue(null);
    expect(await sut('token', '--app', ID, '--uid', 'alice')).toBe(2);
    expect(err[0]).toContain(`unknown app ${ID}`);
  });

  it.each([
    [['--uid', 'alice'], '--app is required'],
    [['--app', ID], '--uid is required'],
    [['--app', ID, '--uid', ' lead'], '--uid must be 1-64 printable ASCII'],
    [['--app', ID, '--uid', 'x'.repeat(65)], '--uid must be 1-64 printable ASCII'],
    [['--app', ID, '--uid', 'a', '--expire', '0'], '--expire must be a whole number from 1 to'],
    [['--app', ID, '--uid', 'a', '--expire', '1.5'], '--expire must be a whole number'],
    [['--app', ID, '--uid', 'a', '--expire=-5'], '--expire must be a whole number'],
    [['--app', ID, '--uid', 'a', '--expire', '-5'], "To specify an option argument starting with a dash use '--expire=-XYZ'"],
    [['--app', ID, '--uid', 'a', '--expire', '99999999999'], '--expire must be a whole number'],
    [['--app', ID, '--uid', 'a', '--format', '008'], '--format must be one of 007, 006'],
    [['--app', ID, '--uid', 'a', '--certificate', 'xyz'], '--certificate must be 32 hex digits'],
    [['--app', 'ghijklmnopqrstuvwxyz0123456789ab', '--uid', 'a'], 'tokens are only made for hex app ids'],
  ])('refuses %j before touching the database (exit 2)', async (args, message) => {
    expect(await sut('token', ...args)).toBe(2);
    expect(err[0]).toContain(message);
    expect(out).toEqual([]);
  });
});
