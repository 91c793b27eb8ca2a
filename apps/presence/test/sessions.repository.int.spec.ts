import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { RegisterBatcher } from '../src/sessions/register-batcher';
import { SessionsRepository, type SessionRegistration } from '../src/sessions/sessions.repository';

/** "Medium" test: the registry's SQL against the real Postgres test database. */
describe('SessionsRepository (Postgres)', () => {
  let prisma: PrismaService;
  let sut: SessionsRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const gw = `test-gw-${randomBytes(3).toString('hex')}` as GatewayId;
  const sid = () => randomUUID() as SessionId;

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new SessionsRepository(prisma);
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM offline_messages WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM gateways WHERE id LIKE 'test-gw-%'`;
    await prisma.$disconnect();
  });

  it('registers logins with increasing epochs and reports what each replaced', async () => {
    const first = await sut.register(appId, 'ann' as Uid, sid(), 'inst-1', gw);
    const second = await sut.register(appId, 'ann' as Uid, sid(), 'inst-1', gw);
    const third = await sut.register(appId, 'ann' as Uid, sid(), 'inst-2', gw);
    expect(first.previousInstanceId).toBeNull();
    expect(second.previousInstanceId).toBe('inst-1');
    expect(third.previousInstanceId).toBe('inst-1');
    expect(second.epoch).toBeGreaterThan(first.epoch);
    expect(third.epoch).toBeGreaterThan(second.epoch);
  });

  it('gives concurrent logins of one uid distinct epochs and keeps exactly one row', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sut.register(appId, 'race' as Uid, sid(), `inst-${i}`, gw)));
    expect(new Set(results.map((r) => r.epoch)).size).toBe(8);
    const rows = await sut.statuses(appId, ['race']);
    expect(rows).toHaveLength(1);
  });

  it('registers many logins with one statement, each with its own epoch, previous instance and offline mail', async () => {
    await sut.register(appId, 'many-b' as Uid, sid(), 'old-b', gw);
    const stored = { appId, fromUid: 'x', payload: Buffer.from([1]) };
    await prisma.offlineMessage.create({ data: { ...stored, uid: 'many-c', messageId: 'm1', expiresAt: new Date(Date.now() + 60_000) } });
    await prisma.offlineMessage.create({ data: { ...stored, uid: 'many-d', messageId: 'm2', expiresAt: new Date(Date.now() - 1_000) } });
    const logins: SessionRegistration[] = ['many-a', 'many-b', 'many-c', 'many-d'].map((uid) => ({
      appId,
      uid: uid as Uid,
      sessionId: sid(),
      instanceId: `new-${uid}`,
      gatewayId: gw,
    }));
    const results = await sut.registerMany(logins);
    expect(results.map((r) => [r.previousInstanceId, r.won, r.offlineStored])).toEqual([
      [null, true, false],
      ['old-b', true, false],
      [null, true, true],
      [null, true, false], // expired: nothing to fetch
    ]);
    expect(new Set(results.map((r) => r.epoch)).size).toBe(4);
    const rows = await sut.statuses(appId, ['many-a', 'many-b', 'many-c', 'many-d']);
    expect(new Map(rows.map((r) => [r.uid, Number(r.statusSeq)]))).toEqual(new Map(logins.map((l, i) => [l.uid, results[i]!.epoch])));
  });

  it("creates a login's gateway row when missing and leaves an existing one alone (heartbeats keep it fresh)", async () => {
    const fresh = `test-gw-fresh-${randomBytes(3).toString('hex')}` as GatewayId;
    await sut.register(appId, 'gw-a' as Uid, sid(), 'i', fresh);
    const [created] = await prisma.$queryRaw<{ heartbeat_at: Date }[]>`SELECT heartbeat_at FROM gateways WHERE id = ${fresh}`;
    expect(created).toBeDefined();
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '3 seconds' WHERE id = ${fresh}`;
    const [before] = await prisma.$queryRaw<{ heartbeat_at: Date }[]>`SELECT heartbeat_at FROM gateways WHERE id = ${fresh}`;
    await sut.register(appId, 'gw-b' as Uid, sid(), 'i', fresh);
    const [after] = await prisma.$queryRaw<{ heartbeat_at: Date }[]>`SELECT heartbeat_at FROM gateways WHERE id = ${fresh}`;
    expect(after!.heartbeat_at).toEqual(before!.heartbeat_at);
    await prisma.$executeRaw`DELETE FROM sessions WHERE gateway_id = ${fresh}`; // not for the sweep test below
  });

  it('lets the highest epoch win when statements race on one uid, and tells the others they lost', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sut.register(appId, 'racer' as Uid, sid(), `inst-${i}`, gw)));
    const highest = Math.max(...results.map((r) => r.epoch));
    const [row] = await sut.statuses(appId, ['racer']);
    expect(Number(row!.statusSeq)).toBe(highest);
    expect(results.find((r) => r.epoch === highest)!.won).toBe(true);
    // A loser never overwrote a newer login: every login that lost is older than the one kept.
    for (const r of results.filter((x) => !x.won)) expect(r.epoch).toBeLessThan(highest);
  });

  it('settles concurrent logins of one uid batched together: the last wins with the highest epoch', async () => {
    const batcher = new RegisterBatcher((logins) => sut.registerMany(logins), { delayMs: 5, max: 100, writers: 2 });
    const login = (uid: string, i: number) => batcher.register({ appId, uid: uid as Uid, sessionId: sid(), instanceId: `b-${i}`, gatewayId: gw });
    const results = await Promise.all([login('twice', 0), login('other', 1), login('twice', 2), login('twice', 3)]);
    const twice = [results[0]!, results[2]!, results[3]!];
    expect(twice.map((r) => r.previousInstanceId)).toEqual([null, 'b-0', 'b-2']);
    expect(twice[2]!.epoch).toBe(Math.max(...twice.map((r) => r.epoch)));
    const [row] = await sut.statuses(appId, ['twice']);
    expect(Number(row!.statusSeq)).toBe(twice[2]!.epoch);
  });

  it('unregisters only the current session of a uid', async () => {
    const old = sid();
    await sut.register(appId, 'bo' as Uid, old, 'i', gw);
    const current = sid();
    await sut.register(appId, 'bo' as Uid, current, 'j', gw);
    expect(await sut.unregister(appId, 'bo' as Uid, old)).toBeNull();
    expect(await sut.statuses(appId, ['bo'])).toHaveLength(1);
    expect(await sut.unregister(appId, 'bo' as Uid, current)).toMatchObject({ appId, uid: 'bo' });
    expect(await sut.statuses(appId, ['bo'])).toHaveLength(0);
  });

  afterEach(async () => {
    // The state-change tests leave sessions UNREACHABLE: not for the sweep test to find, pass or fail.
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId} AND (uid LIKE 'st-%' OR uid LIKE 'dl-%')`;
  });

  it("sets several sessions' state in one statement: only a uid's current session, only a real change; each with a new status seq", async () => {
    const [a, b, c] = [sid(), sid(), sid()];
    await sut.registerMany(['st-a', 'st-b', 'st-c'].map((uid, i) => ({ appId, uid: uid as Uid, sessionId: [a, b, c][i]!, instanceId: 'i', gatewayId: gw })));
    await sut.setState(appId, 'st-c' as Uid, c, 1);
    const before = new Map((await sut.statuses(appId, ['st-a', 'st-b', 'st-c'])).map((r) => [r.uid, Number(r.statusSeq)]));
    const changed = await sut.setStates([
      { appId, uid: 'st-a' as Uid, sessionId: a, state: 1 },
      { appId, uid: 'st-b' as Uid, sessionId: sid(), state: 1 }, // not st-b's session (a newer login replaced it)
      { appId, uid: 'st-c' as Uid, sessionId: c, state: 1 }, // already UNREACHABLE
      { appId, uid: 'st-none' as Uid, sessionId: sid(), state: 1 }, // no row at all
    ]);
    expect(changed.map((x) => x && x.uid)).toEqual(['st-a', null, null, null]);
    expect(changed[0]!.seq).toBeGreaterThan(before.get('st-a')!);
    const after = new Map((await sut.statuses(appId, ['st-a', 'st-b', 'st-c'])).map((r) => [r.uid, r]));
    expect([after.get('st-a')!.state, after.get('st-b')!.state, after.get('st-c')!.state]).toEqual([1, 0, 1]);
    expect(Number(after.get('st-a')!.statusSeq)).toBe(changed[0]!.seq);
    expect(Number(after.get('st-c')!.statusSeq)).toBe(before.get('st-c'));
    expect(await sut.setStates([{ appId, uid: 'st-a' as Uid, sessionId: a, state: 0 }])).toEqual([{ appId, uid: 'st-a', seq: expect.any(Number) }]);
  });

  it('lets batches of state changes and of logins over the same uids, in opposite orders, run at once without a deadlock', async () => {
    const uids = Array.from({ length: 40 }, (_, i) => `dl-${i}` as Uid);
    for (let round = 0; round < 5; round++) {
      const sessions = uids.map(() => sid());
      await sut.registerMany(uids.map((uid, i) => ({ appId, uid, sessionId: sessions[i]!, instanceId: 'i', gatewayId: gw })));
      const lost = uids.map((uid, i) => ({ appId, uid, sessionId: sessions[i]!, state: 1 }));
      // The even uids log in again meanwhile (new sessions), in the opposite order.
      const again = uids.filter((_, i) => i % 2 === 0).reverse();
      const [x, y, z] = await Promise.all([
        sut.setStates(lost),
        sut.setStates([...lost].reverse()),
        sut.registerMany(again.map((uid) => ({ appId, uid, sessionId: sid(), instanceId: 'j', gatewayId: gw }))),
      ]);
      expect(z).toHaveLength(again.length);
      // Each session changed at most once, by one of the two batches; an odd uid's exactly once.
      const changedAt = (i: number) => Number(x[i] !== null) + Number(y[uids.length - 1 - i] !== null);
      uids.forEach((_, i) => expect(changedAt(i)).toBeLessThanOrEqual(1));
      uids.forEach((_, i) => i % 2 === 1 && expect(changedAt(i)).toBe(1));
      // A re-logged-in uid's row is its new session's, connected (whichever statement came first).
      const rows = new Map((await sut.statuses(appId, again)).map((r) => [r.uid, r.state]));
      expect(again.map((u) => rows.get(u))).toEqual(again.map(() => 0));
    }
  });

  it('sweeps sessions whose reconnect window passed and sessions of dead gateways', async () => {
    const s = sid();
    await sut.register(appId, 'cy' as Uid, s, 'i', gw);
    await sut.setState(appId, 'cy' as Uid, s, 1);
    const deadGw = `test-gw-dead-${randomBytes(3).toString('hex')}` as GatewayId;
    await sut.register(appId, 'di' as Uid, sid(), 'i', deadGw);
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '1 minute' WHERE id = ${deadGw}`;
    await sut.register(appId, 'ed' as Uid, sid(), 'i', gw);

    await new Promise((r) => setTimeout(r, 50));
    // gw is alive (a heartbeat that stays fresh however slow the machine: a real one could be older
    // than the 20 ms window by the sweep's statement); only cy's window and the dead gateway's ran out.
    await sut.gatewayHeartbeat(gw, 20, 6_000);
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() + interval '1 minute' WHERE id = ${gw}`;
    const gone = await sut.sweepOffline(20, 6_000);
    const mine = gone
      .filter((g) => g.appId === appId)
      .map((g) => g.uid)
      .sort();
    expect(mine).toEqual(['cy', 'di']);
    expect((await sut.statuses(appId, ['cy', 'di', 'ed'])).map((r) => r.uid)).toEqual(['ed']);
  });

  it('tells when the sweep next has something to do: not before a reconnect window ends, and the sweep then finds it', async () => {
    const windowMs = 400;
    const ttlMs = 60_000;
    // gw's heartbeat stays fresh for the whole test (its sessions are not due); whatever else the
    // shared test database holds is swept first: right after a sweep nothing is due.
    await sut.gatewayHeartbeat(gw, windowMs, ttlMs);
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() + interval '1 minute' WHERE id = ${gw}`;
    await sut.suspectSilentGateways(ttlMs);
    await sut.sweepOffline(windowMs, ttlMs);
    const settled = await sut.nextSweepDue(windowMs, ttlMs);
    expect(settled).not.toBeNull();
    expect(settled!).toBeGreaterThan(0);
    expect(settled!).toBeGreaterThan(windowMs);

    const s = sid();
    await sut.register(appId, 'kai' as Uid, s, 'i', gw);
    await sut.setState(appId, 'kai' as Uid, s, 1);
    const due = await sut.nextSweepDue(windowMs, ttlMs);
    expect(due!).toBeGreaterThan(0);
    expect(due!).toBeLessThanOrEqual(windowMs);
    // Before it nothing is swept; once it has passed, the session is.
    expect((await sut.sweepOffline(windowMs, ttlMs)).filter((c) => c.appId === appId)).toEqual([]);
    await new Promise((r) => setTimeout(r, due! + 50));
    expect(await sut.nextSweepDue(windowMs, ttlMs)).toBeLessThanOrEqual(0);
    expect((await sut.sweepOffline(windowMs, ttlMs)).filter((c) => c.appId === appId).map((c) => c.uid)).toEqual(['kai']);
    expect(await sut.nextSweepDue(windowMs, ttlMs)).toBeGreaterThan(windowMs);
    await sut.gatewayHeartbeat(gw, windowMs, ttlMs);
  });

  it('tells when a silent gateway is due to be suspected and when its sessions are due to go', async () => {
    const quietGw = `test-gw-due-${randomBytes(3).toString('hex')}` as GatewayId;
    await sut.register(appId, 'lea' as Uid, sid(), 'i', quietGw);
    // Heard from 5 s ago, TTL 6 s, window 8 s: suspected in about 1 s, its sessions gone in about 3 s.
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '5 seconds' WHERE id = ${quietGw}`;
    const due = await sut.nextSweepDue(8_000, 6_000);
    expect(due!).toBeLessThanOrEqual(1_000);
    await prisma.$executeRaw`UPDATE gateways SET suspected = true WHERE id = ${quietGw}`;
    // Suspected: its next deadline is the window (3 s), unless another gateway of the shared database is due sooner.
    expect(await sut.nextSweepDue(8_000, 6_000)).toBeLessThanOrEqual(3_000);
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '9 seconds' WHERE id = ${quietGw}`;
    expect(await sut.nextSweepDue(8_000, 6_000)).toBeLessThanOrEqual(0);
    expect((await sut.sweepOffline(8_000, 6_000)).filter((c) => c.appId === appId).map((c) => c.uid)).toEqual(['lea']);
  });

  it("a heartbeat's statement also tells when the sweep next has something to do, counting the heartbeat it wrote", async () => {
    const quietGw = `test-gw-hb-${randomBytes(3).toString('hex')}` as GatewayId;
    const otherGw = `test-gw-hb-${randomBytes(3).toString('hex')}` as GatewayId;
    await sut.register(appId, 'max' as Uid, sid(), 'i', quietGw);
    await sut.register(appId, 'ned' as Uid, sid(), 'i', otherGw);
    // Both heard from 5 s ago (TTL 6 s): without this heartbeat quietGw would be due in about 1 s.
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '5 seconds' WHERE id IN (${quietGw}, ${otherGw})`;
    const { nextSweepDueMs } = await sut.gatewayHeartbeat(quietGw, 8_000, 6_000);
    // otherGw is due in about 1 s still; quietGw's own term (6 s) is not the one.
    expect(nextSweepDueMs!).toBeLessThanOrEqual(1_000);
    expect(Math.abs(nextSweepDueMs! - (await sut.nextSweepDue(8_000, 6_000))!)).toBeLessThan(200);
    // otherGw heartbeats too: what is left is quietGw's TTL (or another gateway of the shared database, sooner).
    const after = (await sut.gatewayHeartbeat(otherGw, 8_000, 6_000)).nextSweepDueMs!;
    expect(after).toBeLessThanOrEqual(6_000);
    expect(Math.abs(after - (await sut.nextSweepDue(8_000, 6_000))!)).toBeLessThan(200);
    await prisma.$executeRaw`DELETE FROM sessions WHERE gateway_id IN (${quietGw}, ${otherGw})`;
    await prisma.$executeRaw`DELETE FROM gateways WHERE id IN (${quietGw}, ${otherGw})`;
  });

  it('orders every status change of a uid by seq (login, lost connection, logout)', async () => {
    const s = sid();
    const { epoch } = await sut.register(appId, 'fay' as Uid, s, 'i', gw);
    const [row] = await sut.statuses(appId, ['fay']);
    expect(Number(row!.statusSeq)).toBe(epoch);
    const lost = await sut.setState(appId, 'fay' as Uid, s, 1);
    expect(lost!.seq).toBeGreaterThan(epoch);
    expect(await sut.setState(appId, 'fay' as Uid, s, 1)).toBeNull(); // no change, no event
    const gone = await sut.unregister(appId, 'fay' as Uid, s);
    expect(gone!.seq).toBeGreaterThan(lost!.seq);
  });

  it('reports the connected sessions of a silent gateway once, and again when it comes back', async () => {
    const quietGw = `test-gw-quiet-${randomBytes(3).toString('hex')}` as GatewayId;
    const lostSession = sid();
    await sut.register(appId, 'gil' as Uid, sid(), 'i', quietGw);
    await sut.register(appId, 'hal' as Uid, lostSession, 'i', quietGw);
    await sut.setState(appId, 'hal' as Uid, lostSession, 1); // already UNREACHABLE: not reported again
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '10 seconds' WHERE id = ${quietGw}`;

    const suspected = (await sut.suspectSilentGateways(6_000)).filter((c) => c.appId === appId);
    expect(suspected.map((c) => c.uid)).toEqual(['gil']);
    expect((await sut.suspectSilentGateways(6_000)).filter((c) => c.appId === appId)).toEqual([]);

    const back = (await sut.gatewayHeartbeat(quietGw, 30_000, 6_000)).online;
    expect(back.map((c) => c.uid)).toEqual(['gil']);
    expect(back[0]!.seq).toBeGreaterThan(suspected[0]!.seq);
    expect((await sut.gatewayHeartbeat(quietGw, 30_000, 6_000)).online).toEqual([]);
  });

  it('keeps a restarted gateway (same GATEWAY_ID, new boot id) from reviving the sessions of the process that died', async () => {
    // The longest GATEWAY_ID (64 chars) plus "@<12 hex>": the id the gateway registers with.
    const name = `test-gw-${randomBytes(28).toString('hex')}`;
    const dead = `${name}@${randomBytes(6).toString('hex')}` as GatewayId;
    const restarted = `${name}@${randomBytes(6).toString('hex')}` as GatewayId;
    await sut.register(appId, 'ida' as Uid, sid(), 'i', dead); // never comes back
    await sut.register(appId, 'jo' as Uid, sid(), 'j', dead); // resumes on the restarted process
    await prisma.$executeRaw`UPDATE gateways SET heartbeat_at = now() - interval '10 seconds' WHERE id = ${dead}`;
    await sut.register(appId, 'jo' as Uid, sid(), 'j', restarted);

    expect((await sut.gatewayHeartbeat(restarted, 8_000, 6_000)).online).toEqual([]);
    const suspected = (await sut.suspectSilentGateways(6_000)).filter((c) => c.appId === appId);
    expect(suspected.map((c) => c.uid)).toEqual(['ida']);
    const gone = (await sut.sweepOffline(8_000, 6_000)).filter((c) => c.appId === appId);
    expect(gone.map((c) => c.uid)).toEqual(['ida']);
    expect((await sut.statuses(appId, ['ida', 'jo'])).map((r) => r.uid)).toEqual(['jo']);
  });
});
