import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { UserBansRepository } from '../src/bans/user-bans.repository';
import { SessionsRepository, type SessionRegistration } from '../src/sessions/sessions.repository';

/** "Medium" test: kicks, login bans and their check inside the batched register statement, against the real Postgres. */
describe('UserBansRepository and the login ban check (Postgres)', () => {
  let prisma: PrismaService;
  let sessions: SessionsRepository;
  let sut: UserBansRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const gw = `test-gw-bans-${randomBytes(3).toString('hex')}` as GatewayId;
  const sid = () => randomUUID() as SessionId;
  const login = (uid: string): SessionRegistration => ({ appId, uid: uid as Uid, sessionId: sid(), instanceId: `inst-${uid}`, gatewayId: gw });
  const events = (uid: string) =>
    prisma.$queryRaw<{ type: string; reason: string | null }[]>`
      SELECT type, detail->>'reason' AS reason FROM app_events WHERE app_id = ${appId} AND kind = 'user' AND uid = ${uid} ORDER BY seq`.then((rows) =>
      rows.map((r) => (r.reason ? `${r.type}:${r.reason}` : r.type)),
    );

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    sessions = new SessionsRepository(prisma);
    sut = new UserBansRepository(prisma);
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM user_bans WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM gateways WHERE id = ${gw}`;
    await prisma.$disconnect();
  });

  it('kicks: removes the session (OFFLINE at once, a Logout recorded) with an epoch above it, and bans when asked', async () => {
    const { epoch } = await sessions.register(appId, 'kim' as Uid, sid(), 'i', gw);
    const before = Date.now();
    const r = await sut.kick(appId, 'kim' as Uid, 60, 'spam');
    expect(r.gone).toMatchObject({ appId, uid: 'kim' });
    expect(r.epoch).toBeGreaterThan(epoch);
    expect(r.until!.getTime()).toBeGreaterThanOrEqual(before + 59_000);
    expect(r.until!.getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    expect(await sessions.statuses(appId, ['kim'])).toHaveLength(0);
    expect(await events('kim')).toEqual(['Login', 'Logout:kicked']);
    const [ban] = await prisma.$queryRaw<{ reason: string }[]>`SELECT reason FROM user_bans WHERE app_id = ${appId} AND uid = 'kim'`;
    expect(ban!.reason).toBe('spam');
    expect((await sut.activeUntil(appId, 'kim' as Uid))!.getTime()).toBe(r.until!.getTime());
  });

  it('kicks without a ban (banSeconds 0): no ban row, a user without a session is no error, an existing ban is reported and kept', async () => {
    const r = await sut.kick(appId, 'nobody' as Uid, 0, null);
    expect(r).toMatchObject({ gone: null, until: null });
    expect(r.epoch).toBeGreaterThan(0);
    expect(await sut.activeUntil(appId, 'nobody' as Uid)).toBeNull();
    const banned = await sut.kick(appId, 'kept' as Uid, 120, null);
    const again = await sut.kick(appId, 'kept' as Uid, 0, null);
    expect(again.until!.getTime()).toBe(banned.until!.getTime());
  });

  it("refuses a banned uid's login inside the batched statement while the other logins of its batch register", async () => {
    await sut.kick(appId, 'bad' as Uid, 300, null);
    const results = await sessions.registerMany([login('good-1'), login('bad'), login('good-2')]);
    expect(results.map((r) => [r.won, r.bannedUntil ? 'banned' : null])).toEqual([
      [true, null],
      [false, 'banned'],
      [true, null],
    ]);
    expect((await sessions.statuses(appId, ['good-1', 'bad', 'good-2'])).map((r) => r.uid).sort()).toEqual(['good-1', 'good-2']);
    // Nothing recorded for the refused login.
    expect(await events('bad')).toEqual([]);
  });

  it('ignores a ban that ended, and deletes it in the sweep', async () => {
    await sut.kick(appId, 'expired' as Uid, 300, null);
    expect((await sessions.registerMany([login('expired')]))[0]!.bannedUntil).toBeTruthy();
    await prisma.$executeRaw`UPDATE user_bans SET expires_at = now() - interval '1 second' WHERE app_id = ${appId} AND uid = 'expired'`;
    expect(await sut.activeUntil(appId, 'expired' as Uid)).toBeNull();
    const [r] = await sessions.registerMany([login('expired')]);
    expect(r).toMatchObject({ won: true, bannedUntil: null });
    expect(await sut.deleteExpired(5_000)).toBeGreaterThanOrEqual(1);
    const left = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM user_bans WHERE app_id = ${appId} AND uid = 'expired'`;
    expect(left).toHaveLength(0);
  });

  it('lifts a ban: the next login registers; lifting again (or an expired ban) reports nothing lifted', async () => {
    await sut.kick(appId, 'lifted' as Uid, 300, null);
    expect((await sessions.registerMany([login('lifted')]))[0]!.bannedUntil).toBeTruthy();
    expect(await sut.lift(appId, 'lifted' as Uid)).toBe(true);
    expect(await sut.lift(appId, 'lifted' as Uid)).toBe(false);
    expect((await sessions.registerMany([login('lifted')]))[0]).toMatchObject({ won: true, bannedUntil: null });
    await sut.kick(appId, 'old' as Uid, 300, null);
    await prisma.$executeRaw`UPDATE user_bans SET expires_at = now() - interval '1 second' WHERE app_id = ${appId} AND uid = 'old'`;
    expect(await sut.lift(appId, 'old' as Uid)).toBe(false);
  });

  it("keeps bans per app: another app's uid of the same name logs in", async () => {
    await sut.kick(appId, 'shared' as Uid, 300, null);
    const other = randomBytes(16).toString('hex') as AppId;
    try {
      const [r] = await sessions.registerMany([{ ...login('shared'), appId: other }]);
      expect(r).toMatchObject({ won: true, bannedUntil: null });
    } finally {
      await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${other}`;
      await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${other}`;
    }
  });
});
