import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, ChannelId, Uid } from '@parley/contracts';
import { AppEventsRetention, PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { ChannelEventsRepository } from '../src/channel-events/channel-events.repository';
import { MembersRepository } from '../src/members/members.repository';

/** "Medium" test: the channel events of the event record, written by the membership statements, and their pull queue. */
describe('channel events (Postgres)', () => {
  let prisma: PrismaService;
  let other: PrismaService;
  let members: MembersRepository;
  let sut: ChannelEventsRepository;
  const apps: AppId[] = [];
  const newApp = () => {
    const appId = randomBytes(16).toString('hex') as AppId;
    apps.push(appId);
    return appId;
  };
  const gw = `chan-events-gw-${randomBytes(4).toString('hex')}`;
  const session = () => randomUUID();

  /** A registry row for the uid, so that removals of offline users' memberships (by any test meanwhile) leave it alone. */
  async function loggedIn(appId: AppId, uid: string, sessionId: string): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO sessions (app_id, uid, session_id, instance_id, gateway_id) VALUES (${appId}, ${uid}, ${sessionId}::uuid, 'i', ${gw})`;
  }

  /** The app's channel events in seq order (read directly: a take may wait for unrelated transactions). */
  async function recorded(appId: AppId): Promise<{ ch: string; uid: string; type: string; ts: number }[]> {
    const rows = await prisma.$queryRaw<{ channel_id: string; uid: string; type: string; ts: Date }[]>`
      SELECT channel_id, uid, type, ts FROM app_events WHERE app_id = ${appId} AND kind = 'channel' ORDER BY seq`;
    return rows.map((r) => ({ ch: r.channel_id, uid: r.uid, type: r.type, ts: r.ts.getTime() }));
  }

  /** Inserts `n` Join events of u1…un in channel "room" for the app, oldest first. */
  async function insertEvents(appId: AppId, n: number, from = 1): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts)
      SELECT ${appId}, 'channel', 'Join', 'u' || i, 'room', now() FROM generate_series(${from}::int, ${from + n - 1}::int) AS i ORDER BY i`;
  }

  /** Takes until a take comes back empty twice in a row (a take may wait for transactions still running elsewhere). */
  async function drain(repo: ChannelEventsRepository, appId: AppId, max = 1000): Promise<string[]> {
    const uids: string[] = [];
    for (let empty = 0; empty < 2;) {
      const got = await repo.take(appId, 'pull', 2_000, max);
      uids.push(...got.map((e) => e.uid));
      if (got.length === 0) {
        empty++;
        await new Promise((r) => setTimeout(r, 50));
      } else empty = 0;
    }
    return uids;
  }

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl());
    other = new PrismaService(testDatabaseUrl());
    members = new MembersRepository(prisma);
    sut = new ChannelEventsRepository(prisma);
    // The registry rows above stay present whatever presence sweeps run meanwhile.
    await prisma.$executeRaw`INSERT INTO gateways (id, heartbeat_at) VALUES (${gw}, now() + interval '1 hour')`;
  });

  afterAll(async () => {
    for (const appId of apps) {
      await prisma.channelMember.deleteMany({ where: { appId } });
      await prisma.channel.deleteMany({ where: { appId } });
      await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
      await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`;
      await prisma.$executeRaw`DELETE FROM event_cursors WHERE app_id = ${appId}`;
    }
    await prisma.$executeRaw`DELETE FROM gateways WHERE id = ${gw}`;
    await prisma.$disconnect();
    await other.$disconnect();
  });

  describe('written by the membership statements', () => {
    it('records a Join for a new member, none for a rejoin, a Leave for a leave', async () => {
      const appId = newApp();
      const ch = 'room' as ChannelId;
      const s = session();
      await loggedIn(appId, 'ann', s);
      const before = Date.now();
      await members.join(appId, ch, 'ann' as Uid, s, gw);
      await members.join(appId, ch, 'ann' as Uid, session(), gw); // back after a drop: still a member
      await members.leave(appId, ch, 'ann' as Uid);
      expect(await members.leave(appId, ch, 'ann' as Uid)).toBeNull(); // not a member any more: nothing
      const after = Date.now();
      const events = await recorded(appId);
      expect(events.map((e) => `${e.type} ${e.ch} ${e.uid}`)).toEqual(['Join room ann', 'Leave room ann']);
      for (const e of events) {
        expect(e.ts).toBeGreaterThanOrEqual(before - 2_000); // the database's clock, same host
        expect(e.ts).toBeLessThanOrEqual(after + 2_000);
      }
      expect(events[1]!.ts).toBeGreaterThanOrEqual(events[0]!.ts);
    });

    it("records a Leave for each membership a session ends, none for a newer session's", async () => {
      const appId = newApp();
      const old = session();
      await loggedIn(appId, 'bo', old);
      await members.join(appId, 'a' as ChannelId, 'bo' as Uid, old, gw);
      await members.join(appId, 'b' as ChannelId, 'bo' as Uid, old, gw);
      await members.join(appId, 'c' as ChannelId, 'bo' as Uid, session(), gw); // a newer session of bo
      await members.leaveSession(appId, 'bo' as Uid, old);
      const events = await recorded(appId);
      expect(events.map((e) => `${e.type} ${e.ch}`)).toEqual(['Join a', 'Join b', 'Join c', 'Leave a', 'Leave b']);
    });

    it('records a Leave for each membership of a user gone offline', async () => {
      const appId = newApp();
      const ch = 'ghosts' as ChannelId;
      const live = session();
      const ghost = session();
      await loggedIn(appId, 'live', live);
      await loggedIn(appId, 'ghost', ghost);
      await members.join(appId, ch, 'live' as Uid, live, gw);
      await members.join(appId, ch, 'ghost' as Uid, ghost, gw);
      await members.join(appId, 'other' as ChannelId, 'ghost' as Uid, ghost, gw);
      await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId} AND uid = 'ghost'`; // presence swept it
      await members.removeOffline(); // (or another test's removal did it meanwhile: the record is the same)
      const leaves = (await recorded(appId)).filter((e) => e.type === 'Leave');
      expect(leaves.map((e) => `${e.ch} ${e.uid}`).sort()).toEqual(['ghosts ghost', 'other ghost']);
      expect((await members.counts(appId, ['ghosts'])).get('ghosts')).toBe(1);
    });

    it('keeps Join and Leave alternating per member when joins and leaves race', async () => {
      const appId = newApp();
      const ch = 'busy' as ChannelId;
      const s = session();
      await loggedIn(appId, 'cy', s);
      await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? members.leave(appId, ch, 'cy' as Uid) : members.join(appId, ch, 'cy' as Uid, s, gw))));
      const types = (await recorded(appId)).map((e) => e.type);
      types.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'Join' : 'Leave'));
      const inChannel = (await members.members(appId, ch, 10)).includes('cy');
      expect(types.at(-1)).toBe(inChannel ? 'Join' : 'Leave');
    });
  });

  describe('member counts in the record (channel.occupied / vacated)', () => {
    /** Every Join/Leave of the channel with the count after it, in seq order. */
    const counted = (appId: AppId, ch: string) =>
      prisma.$queryRaw<{ e: string }[]>`
        SELECT type || ' ' || uid || ' ' || (detail->>'count') AS e FROM app_events
        WHERE app_id = ${appId} AND kind = 'channel' AND channel_id = ${ch} ORDER BY seq`.then((rows) => rows.map((r) => r.e));

    it('gives each Join and Leave the count right after it; a session ending several memberships counts each channel down', async () => {
      const appId = newApp();
      const [a, b, c] = [session(), session(), session()];
      await loggedIn(appId, 'a', a);
      await loggedIn(appId, 'b', b);
      await loggedIn(appId, 'c', c);
      await members.join(appId, 'r' as ChannelId, 'a' as Uid, a, gw);
      await members.join(appId, 'r' as ChannelId, 'b' as Uid, b, gw);
      await members.join(appId, 'r' as ChannelId, 'b' as Uid, session(), gw); // rejoin: no event
      await members.join(appId, 'r' as ChannelId, 'c' as Uid, c, gw);
      await members.leave(appId, 'r' as ChannelId, 'b' as Uid);
      await members.leaveSession(appId, 'a' as Uid, a);
      await members.leave(appId, 'r' as ChannelId, 'c' as Uid);
      expect(await counted(appId, 'r')).toEqual(['Join a 1', 'Join b 2', 'Join c 3', 'Leave b 2', 'Leave a 1', 'Leave c 0']);
    });

    it('gives the members removed by one statement distinct counts ending at the final one', async () => {
      const appId = newApp();
      const live = session();
      await loggedIn(appId, 'live', live);
      await members.join(appId, 'g' as ChannelId, 'live' as Uid, live, gw);
      for (const uid of ['x1', 'x2', 'x3']) {
        const s = session();
        await loggedIn(appId, uid, s);
        await members.join(appId, 'g' as ChannelId, uid as Uid, s, gw);
      }
      await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId} AND uid LIKE 'x%'`;
      await members.removeOffline();
      const leaves = (await counted(appId, 'g')).filter((e) => e.startsWith('Leave'));
      expect(leaves).toEqual(['Leave x1 3', 'Leave x2 2', 'Leave x3 1']);
    });

    it('records exactly one count 1 and one count 0 per occupied period when joins and leaves race', async () => {
      const appId = newApp();
      const ch = 'race';
      const uids = Array.from({ length: 6 }, (_, i) => `m${i}`);
      const sessions = new Map(uids.map((u) => [u, session()]));
      for (const u of uids) await loggedIn(appId, u, sessions.get(u)!);
      for (let round = 0; round < 3; round++) {
        await Promise.all(uids.map((u) => members.join(appId, ch as ChannelId, u as Uid, sessions.get(u)!, gw)));
        await Promise.all(uids.map((u) => members.leave(appId, ch as ChannelId, u as Uid)));
      }
      const events = await counted(appId, ch);
      expect(events).toHaveLength(36);
      // Counts follow the record's order exactly: each event moves the count by one.
      let count = 0;
      for (const e of events) {
        const [type, , n] = e.split(' ');
        count += type === 'Join' ? 1 : -1;
        expect(Number(n)).toBe(count);
      }
      expect(events.filter((e) => e.startsWith('Join') && e.endsWith(' 1'))).toHaveLength(3);
      expect(events.filter((e) => e.startsWith('Leave') && e.endsWith(' 0'))).toHaveLength(3);
    });
  });

  describe('the pull queue', () => {
    it('returns at most max events, oldest first, with the Agora fields', async () => {
      const appId = newApp();
      await insertEvents(appId, 1_001);
      const first = await sut.take(appId, 'pull', 2_000, 1_000);
      expect(first).toHaveLength(1_000);
      expect(first[0]).toEqual({ channelId: 'room', uid: 'u1', type: 'Join', ts: expect.any(Number) });
      expect(Math.abs(first[0]!.ts - Date.now())).toBeLessThan(60_000);
      expect(await drain(sut, appId)).toEqual(['u1001']);
    });

    it('keeps the newest 2000 unread events: of 2001 the oldest is skipped', async () => {
      const appId = newApp();
      await insertEvents(appId, 2_001);
      const got = await drain(sut, appId);
      expect(got).toHaveLength(2_000);
      expect(got[0]).toBe('u2');
      expect(got[1_999]).toBe('u2001');
    });

    it('never returns an event twice to concurrent takers on two connections, and skips none', async () => {
      const appId = newApp();
      const second = new ChannelEventsRepository(other);
      await insertEvents(appId, 1_200);
      const takes = Array.from({ length: 24 }, (_, i) => (i % 2 ? second : sut).take(appId, 'pull', 2_000, 37));
      const writes = [insertEvents(appId, 100, 1_201), insertEvents(appId, 100, 1_301)];
      const results = await Promise.all([...takes, ...writes]);
      const got = results.slice(0, takes.length).flatMap((r) => (r as { uid: string }[]).map((e) => e.uid));
      got.push(...(await drain(sut, appId)), ...(await drain(second, appId)));
      expect(got).toHaveLength(1_400);
      expect(new Set(got).size).toBe(1_400);
    });

    it("returns only the app's own channel events", async () => {
      const mine = newApp();
      const theirs = newApp();
      await insertEvents(mine, 2);
      await insertEvents(theirs, 2, 50);
      await prisma.$executeRaw`INSERT INTO app_events (app_id, kind, type, uid, ts) VALUES (${mine}, 'user', 'Login', 'x', now())`;
      expect(await drain(sut, mine)).toEqual(['u1', 'u2']);
      expect(await drain(sut, theirs)).toEqual(['u50', 'u51']);
    });

    it('deletes events past retention, and only those', async () => {
      const appId = newApp();
      await insertEvents(appId, 2);
      await prisma.$executeRaw`UPDATE app_events SET ts = now() - interval '25 hours' WHERE app_id = ${appId} AND uid = 'u1'`;
      const retention = new AppEventsRetention(prisma, { kind: 'channel', retentionMs: 24 * 3600_000, intervalMs: 600_000 });
      let deleted = 0;
      for (let n = -1; n !== 0; deleted += n) n = await retention.deleteExpired(5_000);
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect((await recorded(appId)).map((e) => e.uid)).toEqual(['u2']);
    });
  });
});
