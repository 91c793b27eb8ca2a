import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { SessionState } from '@parley/contracts/internal';
import { AppEventsRetention, PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { offlineAt } from '../src/sessions/offline-at';
import { SessionsRepository } from '../src/sessions/sessions.repository';
import { UserEventsRepository } from '../src/user-events/user-events.repository';

/** "Medium" test: the user events of the event record, written by the registry's statements, and their pull queue. */
describe('user events (Postgres)', () => {
  let prisma: PrismaService;
  let other: PrismaService;
  let sessions: SessionsRepository;
  let sut: UserEventsRepository;
  const apps: AppId[] = [];
  const newApp = () => {
    const appId = randomBytes(16).toString('hex') as AppId;
    apps.push(appId);
    return appId;
  };
  // Not "test-gw-…": the registry test deletes those when it ends, and this file may run beside it.
  const gw = `events-gw-${randomBytes(4).toString('hex')}` as GatewayId;
  const sid = () => randomUUID() as SessionId;
  const windows = { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 };

  /** The app's user events in seq order (read directly: a take may wait for unrelated transactions). */
  async function recorded(appId: AppId): Promise<{ uid: string; type: string; ts: number; reason?: string }[]> {
    const rows = await prisma.$queryRaw<{ uid: string; type: string; ts: Date; detail: { reason?: string } | null }[]>`
      SELECT uid, type, ts, detail FROM app_events WHERE app_id = ${appId} AND kind = 'user' ORDER BY seq`;
    return rows.map((r) => ({ uid: r.uid, type: r.type, ts: r.ts.getTime(), ...(r.detail ? { reason: r.detail.reason } : {}) }));
  }

  /** Inserts `n` user events u1…un for the app, each in its own row, oldest first. */
  async function insertEvents(appId: AppId, n: number, from = 1): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, ts)
      SELECT ${appId}, 'user', 'Login', 'u' || i, now() FROM generate_series(${from}::int, ${from + n - 1}::int) AS i ORDER BY i`;
  }

  /** Takes until a take comes back empty twice in a row (a take may wait for transactions still running elsewhere). */
  async function drain(repo: UserEventsRepository, appId: AppId, max = 1000): Promise<string[]> {
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
    sessions = new SessionsRepository(prisma);
    sut = new UserEventsRepository(prisma);
    // A gateway that stays fresh for the whole file, whatever other tests' sweeps do meanwhile.
    await prisma.$executeRaw`INSERT INTO gateways (id, heartbeat_at) VALUES (${gw}, now() + interval '1 hour')`;
  });

  afterAll(async () => {
    for (const appId of apps) {
      await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
      await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`;
      await prisma.$executeRaw`DELETE FROM event_cursors WHERE app_id = ${appId}`;
    }
    await prisma.$executeRaw`DELETE FROM gateways WHERE id LIKE ${`${gw}%`}`;
    await prisma.$disconnect();
    await other.$disconnect();
  });

  describe('written by the registry', () => {
    it('records a Login for a first login, Logout + Login for a remote login, nothing for a resume of the same instance', async () => {
      const appId = newApp();
      const before = Date.now();
      await sessions.register(appId, 'ann' as Uid, sid(), 'phone', gw); // replaced nothing
      await sessions.register(appId, 'ann' as Uid, sid(), 'phone', gw); // the same SDK instance resumes
      await sessions.register(appId, 'ann' as Uid, sid(), 'laptop', gw); // another client: remote login
      const after = Date.now();
      const events = await recorded(appId);
      expect(events.map((e) => e.type)).toEqual(['Login', 'Logout', 'Login']);
      expect(events.map((e) => e.reason)).toEqual([undefined, 'remote_login', undefined]);
      expect(events.every((e) => e.uid === 'ann')).toBe(true);
      for (const e of events) {
        expect(e.ts).toBeGreaterThanOrEqual(before - 2_000); // the database's clock, same host
        expect(e.ts).toBeLessThanOrEqual(after + 2_000);
      }
      expect(events[1]!.ts).toBe(events[2]!.ts); // the replaced session ended when the new one began
      expect(events[1]!.ts).toBeGreaterThanOrEqual(events[0]!.ts);
    });

    it('records the events of a batch per login, in one statement', async () => {
      const appId = newApp();
      await sessions.register(appId, 'b' as Uid, sid(), 'old-b', gw);
      await sessions.register(appId, 'c' as Uid, sid(), 'same-c', gw);
      await sessions.registerMany(
        (['a', 'b', 'c'] as const).map((uid) => ({
          appId,
          uid: uid as Uid,
          sessionId: sid(),
          instanceId: uid === 'c' ? 'same-c' : `new-${uid}`,
          gatewayId: gw,
        })),
      );
      const events = await recorded(appId);
      expect(events.map((e) => `${e.type} ${e.uid}`)).toEqual(['Login b', 'Login c', 'Login a', 'Logout b', 'Login b']);
    });

    it('records nothing for a login that lost to a newer one', async () => {
      const appId = newApp();
      await sessions.register(appId, 'dan' as Uid, sid(), 'one', gw);
      // A newer login of dan holds the row (its epoch is above any this statement can take).
      await prisma.$executeRaw`UPDATE sessions SET epoch = epoch + 1000000000 WHERE app_id = ${appId} AND uid = 'dan'`;
      const lost = await sessions.register(appId, 'dan' as Uid, sid(), 'two', gw);
      expect(lost.won).toBe(false);
      expect((await recorded(appId)).map((e) => e.type)).toEqual(['Login']);
    });

    it('keeps Login and Logout alternating when logins of one uid race', async () => {
      const appId = newApp();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sessions.register(appId, 'race' as Uid, sid(), `inst-${i}`, gw)));
      const won = results.filter((r) => r.won).length;
      const types = (await recorded(appId)).map((e) => e.type);
      expect(types.filter((t) => t === 'Login')).toHaveLength(won);
      expect(types.filter((t) => t === 'Logout')).toHaveLength(won - 1);
      types.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'Login' : 'Logout'));
    });

    it('records a Logout for a logout, none for the logout of a session already replaced', async () => {
      const appId = newApp();
      const first = sid();
      const second = sid();
      await sessions.register(appId, 'eve' as Uid, first, 'one', gw);
      await sessions.register(appId, 'eve' as Uid, second, 'two', gw);
      expect(await sessions.unregister(appId, 'eve' as Uid, first)).toBeNull();
      const before = Date.now();
      expect(await sessions.unregister(appId, 'eve' as Uid, second)).not.toBeNull();
      const events = await recorded(appId);
      expect(events.map((e) => e.type)).toEqual(['Login', 'Logout', 'Login', 'Logout']);
      expect(events.map((e) => e.reason)).toEqual([undefined, 'remote_login', undefined, 'logout']);
      expect(Math.abs(events[3]!.ts - before)).toBeLessThan(2_000);
    });

    it('records nothing when a connection is lost and comes back within the window', async () => {
      const appId = newApp();
      const s = sid();
      await sessions.register(appId, 'fay' as Uid, s, 'one', gw);
      await sessions.setState(appId, 'fay' as Uid, s, SessionState.UNREACHABLE);
      await sessions.register(appId, 'fay' as Uid, sid(), 'one', gw); // the SDK resumes
      expect((await recorded(appId)).map((e) => e.type)).toEqual(['Login']);
    });

    it('dates the Logout of a swept session when it became OFFLINE by effectiveState()', async () => {
      const appId = newApp();
      const lost = sid();
      await sessions.register(appId, 'lost' as Uid, lost, 'i', gw);
      await sessions.setState(appId, 'lost' as Uid, lost, SessionState.UNREACHABLE);
      const deadGw = `${gw}-dead` as GatewayId;
      await sessions.register(appId, 'orphan' as Uid, sid(), 'i', deadGw);
      await sessions.register(appId, 'stays' as Uid, sid(), 'i', gw);
      // lost: its window ended 10 s ago; orphan: its gateway fell silent a minute ago (OFFLINE 30 s later).
      await prisma.$executeRaw`UPDATE sessions SET state_since = now() - interval '40 seconds' WHERE app_id = ${appId} AND uid = 'lost'`;
      await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '1 minute' WHERE id = ${deadGw}`;
      const rows = new Map((await sessions.statuses(appId, ['lost', 'orphan'])).map((r) => [r.uid, r]));

      await sessions.sweepOffline(windows.reconnectWindowMs, windows.gatewayTtlMs);
      const events = await recorded(appId);
      const logouts = new Map(events.filter((e) => e.type === 'Logout').map((e) => [e.uid, e.ts]));
      expect([...logouts.keys()].sort()).toEqual(['lost', 'orphan']);
      expect(events.filter((e) => e.type === 'Logout').map((e) => e.reason)).toEqual(['timeout', 'timeout']);
      expect(logouts.get('lost')).toBe(offlineAt(rows.get('lost')!, windows).getTime());
      expect(logouts.get('orphan')).toBe(offlineAt(rows.get('orphan')!, windows).getTime());
      expect(logouts.get('orphan')).toBe(rows.get('orphan')!.heartbeatAt!.getTime() + 30_000);
      expect(logouts.get('lost')).toBe(rows.get('lost')!.stateSince.getTime() + 30_000);
      // A second sweep (another replica) finds nothing more to record.
      await sessions.sweepOffline(windows.reconnectWindowMs, windows.gatewayTtlMs);
      expect(await recorded(appId)).toHaveLength(events.length);
    });
  });

  describe('the pull queue', () => {
    it('returns at most max events, oldest first, each once', async () => {
      const appId = newApp();
      await insertEvents(appId, 1_500);
      const first = await sut.take(appId, 'pull', 2_000, 1_000);
      expect(first).toHaveLength(1_000);
      expect(first[0]).toEqual({ uid: 'u1', type: 'Login', ts: expect.any(Number) });
      expect(first[999]!.uid).toBe('u1000');
      const rest = await drain(sut, appId);
      expect(rest).toEqual(Array.from({ length: 500 }, (_, i) => `u${1_001 + i}`));
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
      const second = new UserEventsRepository(other);
      await insertEvents(appId, 1_200);
      const takes = Array.from({ length: 24 }, (_, i) => (i % 2 ? second : sut).take(appId, 'pull', 2_000, 37));
      // Events written while the takers run are taken too, later.
      const writes = [insertEvents(appId, 100, 1_201), insertEvents(appId, 100, 1_301)];
      const results = await Promise.all([...takes, ...writes]);
      const got = results.slice(0, takes.length).flatMap((r) => (r as { uid: string }[]).map((e) => e.uid));
      got.push(...(await drain(sut, appId)), ...(await drain(second, appId)));
      expect(got).toHaveLength(1_400);
      expect(new Set(got).size).toBe(1_400);
    });

    it('does not pass over an event whose transaction commits after a newer event was taken', async () => {
      const appId = newApp();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const slowInserted = new Promise<void>((resolve) => (inserted = resolve));
      const slow = other.$transaction(
        async (tx) => {
          await tx.$executeRaw`INSERT INTO app_events (app_id, kind, type, uid, ts) VALUES (${appId}, 'user', 'Login', 'slow', now())`;
          inserted();
          await held;
        },
        { timeout: 10_000 },
      );
      await slowInserted;
      await insertEvents(appId, 1); // u1: a higher seq, committed first
      expect(await sut.take(appId, 'pull', 2_000, 1_000)).toEqual([]); // the slow transaction is still running
      release();
      await slow;
      expect(await drain(sut, appId)).toEqual(['slow', 'u1']);
    });

    it("returns only the app's own events, and keeps a cursor per consumer", async () => {
      const mine = newApp();
      const theirs = newApp();
      await insertEvents(mine, 3);
      await insertEvents(theirs, 2, 100);
      expect(await drain(sut, mine)).toEqual(['u1', 'u2', 'u3']);
      expect(await drain(sut, theirs)).toEqual(['u100', 'u101']);
      // Another consumer (webhooks, later) reads the same record from its own cursor.
      expect((await sut.take(mine, 'webhooks', 2_000, 1_000)).map((e) => e.uid)).toEqual(['u1', 'u2', 'u3']);
      // Channel events of the app are not user events.
      await prisma.$executeRaw`INSERT INTO app_events (app_id, kind, type, uid, channel_id, ts) VALUES (${mine}, 'channel', 'Join', 'x', 'room', now())`;
      expect(await drain(sut, mine)).toEqual([]);
    });

    it('deletes events past retention, and only those', async () => {
      const appId = newApp();
      await insertEvents(appId, 2);
      await prisma.$executeRaw`UPDATE app_events SET ts = now() - interval '25 hours' WHERE app_id = ${appId} AND uid = 'u1'`;
      const retention = new AppEventsRetention(prisma, { kind: 'user', retentionMs: 24 * 3600_000, intervalMs: 600_000 });
      let deleted = 0;
      for (let n = -1; n !== 0; deleted += n) n = await retention.deleteExpired(5_000);
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect((await recorded(appId)).map((e) => e.uid)).toEqual(['u2']);
    });
  });
});
