import type { AppId } from '@parley/contracts';
import type { PrismaService } from '@parley/platform';
import type { GatewayConfig } from '../config/gateway.config';
import { AppsRepository } from './apps.repository';

const appId = 'a'.repeat(32) as AppId;

function setup(ttlMs: number) {
  let release!: () => void;
  let gate: Promise<void> = Promise.resolve();
  const findUnique = jest.fn(async ({ where }: { where: { id: string } }) => {
    await gate;
    return where.id === appId ? { id: appId, certificate: 'c'.repeat(32), previousCertificate: null, previousCertificateUntil: null } : null;
  });
  const prisma = { app: { findUnique } } as unknown as PrismaService;
  const repo = new AppsRepository(prisma, { APP_CACHE_TTL_MS: ttlMs } as GatewayConfig);
  return {
    repo,
    findUnique,
    hold: (): void => {
      gate = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
  };
}

describe('AppsRepository', () => {
  it('answers a storm of lookups of one app that miss the cache with one query, then from the cache', async () => {
    const t = setup(60_000);
    t.hold();
    const storm = Array.from({ length: 500 }, () => t.repo.find(appId));
    t.release();
    const apps = await Promise.all(storm);
    expect(t.findUnique).toHaveBeenCalledTimes(1);
    expect(new Set(apps.map((a) => a?.certificate))).toEqual(new Set(['c'.repeat(32)]));
    await t.repo.find(appId);
    expect(t.findUnique).toHaveBeenCalledTimes(1);
  });

  it('caches unknown apps too, asks again after the TTL, and does not keep a failed query', async () => {
    const t = setup(20);
    expect(await t.repo.find('b'.repeat(32) as AppId)).toBeNull();
    expect(await t.repo.find('b'.repeat(32) as AppId)).toBeNull();
    expect(t.findUnique).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 30));
    await t.repo.find('b'.repeat(32) as AppId);
    expect(t.findUnique).toHaveBeenCalledTimes(2);

    t.findUnique.mockRejectedValueOnce(new Error('pool timeout'));
    await expect(t.repo.find(appId)).rejects.toThrow('pool timeout');
    expect(await t.repo.find(appId)).toMatchObject({ id: appId });
  });
});
