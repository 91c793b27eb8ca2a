import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { ChannelBansRepository } from '../src/bans/channel-bans.repository';
import { MembersRepository } from '../src/members/members.repository';

/** "Medium" test: channel bans and their check inside the join statement, against the real Postgres. */
describe('ChannelBansRepository and the join ban check (Postgres)', () => {
  let prisma: PrismaService;
  let members: MembersRepository;
  let sut: ChannelBansRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const session = () => randomUUID();
  const join = (ch: string, uid: string) => members.join(appId, ch as ChannelId, uid as Uid, session(), 'gw');
  const leaves = (ch: string) =>
    prisma.$queryRaw<{ uid: string }[]>`
      SELECT uid FROM app_events WHERE app_id = ${appId} AND kind = 'channel' AND channel_id = ${ch} AND type = 'Leave' ORDER BY seq`.then((rows) =>
      rows.map((r) => r.uid),
    );

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    members = new MembersRepository(prisma);
    sut = new ChannelBansRepository(prisma);
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM channel_members WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM channels WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM channel_bans WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`;
    await prisma.$disconnect();
  });

  it('bans a member: removed in the same statement (count down, a Leave recorded), its joins refused, the others not', async () => {
    await join('hall', 'ann');
    await join('hall', 'bob');
    const before = Date.now();
    const { removed, until } = await sut.ban(appId, 'hall' as ChannelId, 'bob' as Uid, 60);
    expect(removed).toEqual({ appId, channelId: 'hall', uid: 'bob', count: 1 });
    expect(until.getTime()).toBeGreaterThanOrEqual(before + 59_000);
    expect(await members.members(appId, 'hall' as ChannelId, 10)).toEqual(['ann']);
    expect(await leaves('hall')).toEqual(['bob']);

    const refused = await join('hall', 'bob');
    expect(refused).toEqual({ joined: false, count: 1, bannedUntil: until });
    expect(await members.members(appId, 'hall' as ChannelId, 10)).toEqual(['ann']);
    expect((await members.counts(appId, ['hall'])).get('hall')).toBe(1);
    // Only that channel, only that uid.
    expect(await join('other', 'bob')).toEqual({ joined: true, count: 1 });
    expect(await join('hall', 'cy')).toEqual({ joined: true, count: 2 });
  });

  it('bans a uid that is not a member (nothing removed) and refuses its first join', async () => {
    const { removed } = await sut.ban(appId, 'lobby' as ChannelId, 'dan' as Uid, 60);
    expect(removed).toBeNull();
    expect(await join('lobby', 'dan')).toMatchObject({ joined: false, bannedUntil: expect.any(Date) });
    expect(await leaves('lobby')).toEqual([]);
  });

  it('lists active bans in uid order a page at a time, lifts one, and ignores then sweeps an ended one', async () => {
    for (const uid of ['u3', 'u1', 'u2']) await sut.ban(appId, 'mod' as ChannelId, uid as Uid, 120);
    expect((await sut.list(appId, 'mod' as ChannelId, 2, null)).map((b) => b.uid)).toEqual(['u1', 'u2']);
    expect((await sut.list(appId, 'mod' as ChannelId, 2, 'u2')).map((b) => b.uid)).toEqual(['u3']);

    expect(await sut.lift(appId, 'mod' as ChannelId, 'u1' as Uid)).toBe(true);
    expect(await sut.lift(appId, 'mod' as ChannelId, 'u1' as Uid)).toBe(false);
    expect(await join('mod', 'u1')).toEqual({ joined: true, count: 1 });

    await prisma.$executeRaw`UPDATE channel_bans SET expires_at = now() - interval '1 second' WHERE app_id = ${appId} AND uid = 'u2'`;
    expect((await sut.list(appId, 'mod' as ChannelId, 10, null)).map((b) => b.uid)).toEqual(['u3']);
    expect(await join('mod', 'u2')).toEqual({ joined: true, count: 2 });
    expect(await sut.deleteExpired(5_000)).toBeGreaterThanOrEqual(1);
    const left = await prisma.$queryRaw<{ uid: string }[]>`SELECT uid FROM channel_bans WHERE app_id = ${appId} AND channel_id = 'mod' ORDER BY uid`;
    expect(left.map((r) => r.uid)).toEqual(['u3']);
  });

  it('replaces a ban with the latest (a shorter one shortens it)', async () => {
    const long = await sut.ban(appId, 'again' as ChannelId, 'eve' as Uid, 3_600);
    const short = await sut.ban(appId, 'again' as ChannelId, 'eve' as Uid, 10);
    expect(short.until.getTime()).toBeLessThan(long.until.getTime());
    expect(await sut.list(appId, 'again' as ChannelId, 10, null)).toEqual([{ uid: 'eve', until: short.until }]);
  });
});
