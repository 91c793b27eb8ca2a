import type { PrismaService } from '@parley/platform';
import type { ApiConfig } from '../config/api.config';
import { CredentialsRepository } from './credentials.repository';

describe('CredentialsRepository', () => {
  it('shares one query among requests that miss the cache together, caches misses, and honours AUTH_CACHE_TTL_MS = 0', async () => {
    const findUnique = jest.fn(async ({ where }: { where: { id: string } }) =>
      where.id === 'key1' ? { id: 'key1', secretHash: 'h', appIds: ['a'], allApps: false, revokedAt: null } : null,
    );
    const prisma = { customerCredential: { findUnique } } as unknown as PrismaService;
    const cached = new CredentialsRepository(prisma, { AUTH_CACHE_TTL_MS: 60_000 } as ApiConfig);
    const all = await Promise.all(Array.from({ length: 100 }, () => cached.findCredential('key1')));
    expect(findUnique).toHaveBeenCalledTimes(1);
    expect(all[99]).toEqual({ id: 'key1', secretHash: 'h', appIds: ['a'], allApps: false, revoked: false });
    expect(await cached.findCredential('nope')).toBeNull();
    expect(await cached.findCredential('nope')).toBeNull();
    expect(findUnique).toHaveBeenCalledTimes(2);

    // No cache: every request that comes after the previous answer asks again (a revocation counts at once).
    const uncached = new CredentialsRepository(prisma, { AUTH_CACHE_TTL_MS: 0 } as ApiConfig);
    await uncached.findCredential('key1');
    await new Promise((r) => setTimeout(r, 5));
    await uncached.findCredential('key1');
    expect(findUnique).toHaveBeenCalledTimes(4);
  });
});
