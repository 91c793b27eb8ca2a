import { ErrorCode, PeerState, type AppId } from '@parley/contracts';
import type { PresenceConfig } from '../config/presence.config';
import type { AdminRepository, UserSessionRow } from './admin.repository';
import { AdminService } from './admin.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const config = { GATEWAY_TTL_MS: 6_000, RECONNECT_WINDOW_MS: 30_000 } as PresenceConfig;
const now = new Date('2026-12-01T10:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

function setup(row: UserSessionRow | null = null) {
  const repository = {
    countSessions: jest.fn(async () => ({ online: 3, unreachable: 1 })),
    countLiveGateways: jest.fn(async () => 2),
    userSession: jest.fn(async () => row),
  };
  const sut = new AdminService(repository as unknown as AdminRepository, config);
  return { sut, repository };
}

const row = (over: Partial<UserSessionRow>): UserSessionRow => ({
  uid: 'alice',
  state: 0,
  stateSince: ago(5_000),
  heartbeatAt: ago(1_000),
  now,
  gatewayId: 'gw1@0123456789ab',
  loggedInAt: ago(5_000),
  ...over,
});

describe('presence AdminService', () => {
  it('counts sessions of all apps or one, with the live gateways, once per second per key', async () => {
    const { sut, repository } = setup();
    await expect(sut.sessionStats({})).resolves.toEqual({ online: 3, unreachable: 1, gateways: 2 });
    await sut.sessionStats({});
    await expect(sut.sessionStats({ appId })).resolves.toEqual({ online: 3, unreachable: 1, gateways: 2 });
    expect(repository.countSessions.mock.calls).toEqual([
      [null, { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 }],
      [appId, { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 }],
    ]);
  });

  it('refuses an invalid app id', async () => {
    const { sut, repository } = setup();
    await expect(sut.sessionStats({ appId: 'not an app' })).rejects.toMatchObject({ code: ErrorCode.INVALID_APP_ID });
    expect(repository.countSessions).not.toHaveBeenCalled();
  });

  it('reports a connected session as ONLINE on its gateway process, since its login', async () => {
    const { sut, repository } = setup(row({}));
    await expect(sut.userSessions({ appId, uid: 'alice' })).resolves.toEqual({
      state: PeerState.ONLINE,
      sessions: [{ gatewayId: 'gw1@0123456789ab', loggedInAt: ago(5_000).getTime(), state: PeerState.ONLINE }],
    });
    expect(repository.userSession).toHaveBeenCalledWith(appId, 'alice');
  });

  it('reports UNREACHABLE inside the reconnect window and nothing once it is over (effectiveState)', async () => {
    await expect(setup(row({ state: 1, stateSince: ago(10_000) })).sut.userSessions({ appId, uid: 'alice' })).resolves.toMatchObject({
      state: PeerState.UNREACHABLE,
      sessions: [{ state: PeerState.UNREACHABLE }],
    });
    await expect(setup(row({ heartbeatAt: ago(31_000) })).sut.userSessions({ appId, uid: 'alice' })).resolves.toEqual({
      state: PeerState.OFFLINE,
      sessions: [],
    });
    await expect(setup(null).sut.userSessions({ appId, uid: 'alice' })).resolves.toEqual({ state: PeerState.OFFLINE, sessions: [] });
  });

  it('refuses an invalid uid', async () => {
    await expect(setup().sut.userSessions({ appId, uid: ' bad' })).rejects.toMatchObject({ code: ErrorCode.INVALID_USER_ID });
  });
});
