import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { MembersRepository } from '../src/members/members.repository';

/** "Medium" test: membership and count SQL against the real Postgres test database. */
describe('MembersRepository (Postgres)', () => {
  let prisma: PrismaService;
  let sut: MembersRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const ch = 'room' as ChannelId;
  const session = () => randomUUID();

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new MembersRepository(prisma);
  });

  afterAll(async () => {
    await prisma.channelMember.deleteMany({ where: { appId } });
    await prisma.channel.deleteMany({ where: { appId } });
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
    await prisma.$disconnect();
  });

  it('counts joins once per member (a rejoin is not a new member) and leaves', async () => {
    expect(await sut.join(appId, ch, 'a' as Uid, session(), 'gw')).toEqual({ joined: true, count: 1 });
    expect(await sut.join(appId, ch, 'b' as Uid, session(), 'gw')).toEqual({ joined: true, count: 2 });
    expect(await sut.join(appId, ch, 'a' as Uid, session(), 'gw')).toEqual({ joined: false, count: 2 });
    expect(await sut.leave(appId, ch, 'b' as Uid)).toMatchObject({ uid: 'b', count: 1 });
    expect(await sut.leave(appId, ch, 'b' as Uid)).toBeNull();
    expect(await sut.counts(appId, ['room', 'nowhere'])).toEqual(new Map([['room', 1]]));
  });

  it('keeps concurrent joins of one channel consistent', async () => {
    const c = 'crowd' as ChannelId;
    await Promise.all(Array.from({ length: 20 }, (_, i) => sut.join(appId, c, `u${i}` as Uid, session(), 'gw')));
    expect((await sut.counts(appId, ['crowd'])).get('crowd')).toBe(20);
    expect((await sut.members(appId, c, 512)).sort()).toHaveLength(20);
    expect(await sut.members(appId, c, 5)).toHaveLength(5);
  });

  it('publishes a changed count once per interval and leaves a session only its own memberships', async () => {
    const c = 'ticks' as ChannelId;
    const s1 = session();
    await sut.join(appId, c, 'x' as Uid, s1, 'gw');
    const before = Date.now();
    const due = (await sut.takeCountsDue(1_000, 3_000, 512)).due.filter((d) => d.appId === appId && d.channelId === 'ticks');
    expect(due).toEqual([{ appId, channelId: 'ticks', count: 1, ts: expect.any(Number) }]);
    // the database's publish time (same host clock): what MemberCountUpdated carries as `ts`
    expect(Math.abs((due[0]?.ts ?? 0) - before)).toBeLessThan(60_000);
    await sut.join(appId, c, 'y' as Uid, session(), 'gw');
    const held = await sut.takeCountsDue(1_000, 3_000, 512);
    expect(held.due.filter((d) => d.channelId === 'ticks' && d.appId === appId)).toEqual([]); // within 1 s
    // … and the leader learns when it comes due instead of polling
    expect(held.nextDueMs).not.toBeNull();
    expect(held.nextDueMs).toBeLessThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, held.nextDueMs!));
    const later = await sut.takeCountsDue(1_000, 3_000, 512);
    expect(later.due.filter((d) => d.channelId === 'ticks' && d.appId === appId)).toEqual([{ appId, channelId: 'ticks', count: 2, ts: expect.any(Number) }]);
    await sut.join(appId, 'other' as ChannelId, 'x' as Uid, session(), 'gw'); // a newer session of x
    expect((await sut.leaveSession(appId, 'x' as Uid, s1)).map((r) => r.channelId)).toEqual(['ticks']);
    expect((await sut.counts(appId, ['other'])).get('other')).toBe(1);
  });

  it('publishes a change whose transaction began before the publication but committed after it', async () => {
    const c = 'racing' as ChannelId;
    await sut.join(appId, c, 'r1' as Uid, session(), 'gw');
    await sut.join(appId, c, 'r2' as Uid, session(), 'gw');
    const ours = (d: { due: { appId: string; channelId: string }[] }) => d.due.filter((x) => x.appId === appId && x.channelId === 'racing');
    await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT now()`; // the transaction's now(): before the publication below
      await new Promise((r) => setTimeout(r, 20));
      expect(ours(await sut.takeCountsDue(0, 0, 512))).toMatchObject([{ count: 2 }]);
      await new MembersRepository(tx as unknown as PrismaService).leave(appId, c, 'r2' as Uid); // commits after it
    });
    expect(ours(await sut.takeCountsDue(0, 0, 512))).toMatchObject([{ count: 1 }]);
    expect(ours(await sut.takeCountsDue(0, 0, 512))).toEqual([]);
  });

  it('answers no next due time when no changed count waits', async () => {
    const c = 'settled' as ChannelId;
    await sut.join(appId, c, 'z' as Uid, session(), 'gw');
    // Counts waiting for their interval (this test file's, others' on this database) come due within 3 s: take them until none waits.
    let taken = await sut.takeCountsDue(1_000, 3_000, 512);
    while (taken.nextDueMs !== null) {
      await new Promise((r) => setTimeout(r, taken.nextDueMs!));
      taken = await sut.takeCountsDue(1_000, 3_000, 512);
    }
    expect(taken.nextDueMs).toBeNull();
    expect((await sut.takeCountsDue(1_000, 3_000, 512)).due.filter((d) => d.appId === appId)).toEqual([]);
  });

  it('removes memberships of users without a session', async () => {
    const c = 'ghosts' as ChannelId;
    await sut.join(appId, c, 'live' as Uid, session(), 'gw');
    await sut.join(appId, c, 'ghost' as Uid, session(), 'gw');
    await prisma.$executeRaw`INSERT INTO sessions (app_id, uid, session_id, instance_id, gateway_id) VALUES (${appId}, 'live', ${randomUUID()}::uuid, 'i', 'gw')`;
    const removed = (await sut.removeOffline()).filter((r) => r.appId === appId && r.channelId === 'ghosts');
    expect(removed.map((r) => r.uid)).toEqual(['ghost']);
    expect((await sut.counts(appId, ['ghosts'])).get('ghosts')).toBe(1);
  });
});
