import { randomBytes } from 'node:crypto';
import type { AppId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { OfflineRepository, type OfflineRow } from '../src/offline/offline.repository';

/** "Medium" test: the offline store's SQL against the real Postgres test database. */
describe('OfflineRepository (Postgres)', () => {
  let prisma: PrismaService;
  let sut: OfflineRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const row = (uid: string, id: string, over: Partial<OfflineRow> = {}): OfflineRow => ({
    appId,
    uid: uid as Uid,
    fromUid: 'sender' as Uid,
    messageId: id,
    payload: Uint8Array.from([1, 2, 3]),
    expiresAt: new Date(Date.now() + 60_000),
    ...over,
  });

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new OfflineRepository(prisma);
  });

  afterAll(async () => {
    await prisma.offlineMessage.deleteMany({ where: { appId } });
    await prisma.$disconnect();
  });

  it('keeps each receiver at its newest N in one batch across several receivers, oldest dropped', async () => {
    await sut.storeMany([...Array.from({ length: 5 }, (_, i) => row('ann', `a${i}`)), row('bob', 'b0')], 3);
    await sut.storeMany([row('ann', 'a5'), row('bob', 'b1')], 3);
    const ann = await sut.fetch(appId, 'ann' as Uid, 10);
    const bob = await sut.fetch(appId, 'bob' as Uid, 10);
    expect(ann).toHaveLength(3);
    expect(bob).toHaveLength(2);
    expect(ann.map((r) => r.seq)).toEqual([...ann.map((r) => r.seq)].sort((a, b) => a - b));
    const ids = await prisma.offlineMessage.findMany({ where: { appId, uid: 'ann' }, orderBy: { seq: 'asc' }, select: { messageId: true } });
    expect(ids.map((r) => r.messageId)).toEqual(['a3', 'a4', 'a5']);
  });

  it('stores a resent message (same sender and id) once', async () => {
    await sut.storeMany([row('cy', 'dup'), row('cy', 'dup')], 200);
    await sut.storeMany([row('cy', 'dup')], 200);
    expect(await sut.fetch(appId, 'cy' as Uid, 10)).toHaveLength(1);
  });

  it('hides and deletes expired messages, and removes delivered ones by seq', async () => {
    await sut.storeMany([row('di', 'old', { expiresAt: new Date(Date.now() - 1) }), row('di', 'new')], 200);
    const live = await sut.fetch(appId, 'di' as Uid, 10);
    expect(live).toHaveLength(1);
    expect(await sut.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await prisma.offlineMessage.count({ where: { appId, uid: 'di' } })).toBe(1);
    expect(
      await sut.remove(
        appId,
        'di' as Uid,
        live.map((r) => r.seq),
      ),
    ).toBe(1);
    expect(await sut.fetch(appId, 'di' as Uid, 10)).toEqual([]);
  });
});
