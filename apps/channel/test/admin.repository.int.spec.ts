import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { AdminRepository } from '../src/admin/admin.repository';

/** "Medium" test: the admin API's membership counts against the real Postgres test database. */
describe('channel AdminRepository (Postgres)', () => {
  let prisma: PrismaService;
  let sut: AdminRepository;
  const appId = randomBytes(16).toString('hex') as AppId;

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new AdminRepository(prisma);
    // Two channels with members, one emptied (its row stays with count 0).
    await prisma.$executeRaw`INSERT INTO channels (app_id, channel_id, member_count) VALUES (${appId}, 'a', 2), (${appId}, 'b', 1), (${appId}, 'gone', 0)`;
    for (const [ch, uid] of [
      ['a', 'ann'],
      ['a', 'bob'],
      ['b', 'ann'],
    ] as const) {
      await prisma.$executeRaw`INSERT INTO channel_members (app_id, channel_id, uid, session_id, gateway_id) VALUES (${appId}, ${ch}, ${uid}, ${randomUUID()}::uuid, 'gw')`;
    }
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM channel_members WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM channels WHERE app_id = ${appId}`;
    await prisma.$disconnect();
  });

  it('counts channels with members and memberships of one app, and of all apps', async () => {
    expect(await sut.totals(appId)).toEqual({ channels: 2, members: 3 });
    const all = await sut.totals(null);
    expect(all.channels).toBeGreaterThanOrEqual(2);
    expect(all.members).toBeGreaterThanOrEqual(3);
    expect(await sut.totals(randomBytes(16).toString('hex') as AppId)).toEqual({ channels: 0, members: 0 });
  });
});
