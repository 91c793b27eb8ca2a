import { randomBytes, randomUUID } from 'node:crypto';
import type { AppId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { AdminRepository } from '../src/admin/admin.repository';
import { effectiveState, type StatusWindows } from '../src/sessions/session-status';

/** "Medium" test: the admin API's counts of the registry against the real Postgres test database. */
describe('presence AdminRepository (Postgres)', () => {
  let prisma: PrismaService;
  let sut: AdminRepository;
  const appId = randomBytes(16).toString('hex') as AppId;
  const tag = randomBytes(3).toString('hex');
  const gateway = (name: string) => `test-admin-gw-${name}-${tag}`;
  const windows: StatusWindows = { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 };

  async function gatewayRow(name: string, silentForMs: number): Promise<void> {
    await prisma.$executeRaw`INSERT INTO gateways (id, heartbeat_at) VALUES (${gateway(name)}, now() - ${`${silentForMs} milliseconds`}::interval)`;
  }
  async function session(uid: string, gw: string, state: number, sinceMs = 0): Promise<void> {
    await prisma.$executeRaw`
      INSERT INTO sessions (app_id, uid, session_id, instance_id, gateway_id, state, state_since)
      VALUES (${appId}, ${uid}, ${randomUUID()}::uuid, 'i', ${gateway(gw)}, ${state}, now() - ${`${sinceMs} milliseconds`}::interval)`;
  }

  beforeAll(async () => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new AdminRepository(prisma);
    await gatewayRow('live', 0);
    await gatewayRow('silent', 10_000); // past the TTL, inside the window: its sessions are UNREACHABLE
    await gatewayRow('dead', 40_000); // past the window: OFFLINE (not swept yet)
    await session('on', 'live', 0);
    await session('lost', 'live', 1, 5_000);
    await session('lost-long-ago', 'live', 1, 40_000);
    await session('on-silent', 'silent', 0);
    await session('on-dead', 'dead', 0);
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
    // Another run's presence may have swept the OFFLINE rows meanwhile (recording their Logout).
    await prisma.$executeRaw`DELETE FROM app_events WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM gateways WHERE id LIKE ${`test-admin-gw-%-${tag}`}`;
    await prisma.$disconnect();
  });

  it('counts sessions of one app by the rules of effectiveState()', async () => {
    expect(await sut.countSessions(appId, windows)).toEqual({ online: 1, unreachable: 2 });
    const states = await Promise.all(
      ['on', 'lost', 'lost-long-ago', 'on-silent', 'on-dead'].map(async (uid) =>
        effectiveState((await sut.userSession(appId, uid as Uid)) ?? undefined, windows),
      ),
    );
    expect(states).toEqual(['ONLINE', 'UNREACHABLE', 'OFFLINE', 'UNREACHABLE', 'OFFLINE']);
  });

  it('counts all apps too (at least this one’s), and the live gateways', async () => {
    const all = await sut.countSessions(null, windows);
    expect(all.online).toBeGreaterThanOrEqual(1);
    expect(all.unreachable).toBeGreaterThanOrEqual(2);
    // Other runs share the database: at least this test's live gateway (the silent and dead ones are past the TTL).
    expect(await sut.countLiveGateways(windows.gatewayTtlMs)).toBeGreaterThanOrEqual(1);
  });

  it('reads one uid’s row with its gateway process and login time; none for a uid without one', async () => {
    expect(await sut.userSession(appId, 'on' as Uid)).toMatchObject({ uid: 'on', gatewayId: gateway('live'), loggedInAt: expect.any(Date), state: 0 });
    expect(await sut.userSession(appId, 'nobody' as Uid)).toBeNull();
  });
});
