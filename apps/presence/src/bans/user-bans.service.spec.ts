import { ErrorCode, type AppId } from '@parley/contracts';
import { Subjects, UserMsgKind, type KickUserRequest } from '@parley/contracts/internal';
import type { NatsBus, ServiceClient } from '@parley/platform';
import type { PresenceConfig } from '../config/presence.config';
import type { StatusPublisher } from '../status/status-publisher';
import type { KickResult, UserBansRepository } from './user-bans.repository';
import { UserBansService } from './user-bans.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup(result: KickResult) {
  const repository = {
    kick: jest.fn(async () => result),
    activeUntil: jest.fn(async () => null),
    lift: jest.fn(async () => true),
    deleteExpired: jest.fn(async () => 0),
  };
  const bus = { publish: jest.fn() };
  const services = { emit: jest.fn() };
  const status = { offline: jest.fn() };
  const sut = new UserBansService(
    repository as unknown as UserBansRepository,
    bus as unknown as NatsBus,
    services as unknown as ServiceClient,
    status as unknown as StatusPublisher,
    { BANS_SWEEP_MS: 600_000 } as PresenceConfig,
  );
  return { sut, repository, bus, services, status };
}

describe('UserBansService.kick', () => {
  it('tells every gateway to end the uid’s sessions, its watchers that it is OFFLINE and the channel service that it went', async () => {
    const until = new Date(Date.now() + 60_000);
    const gone = { appId, uid: 'kim', seq: 41 };
    const { sut, repository, bus, services, status } = setup({ gone, epoch: 41, until });
    await expect(sut.kick({ appId, uid: 'kim', banSeconds: 60, reason: 'spam' })).resolves.toEqual({ kicked: true, until: until.getTime() });
    expect(repository.kick).toHaveBeenCalledWith(appId, 'kim', 60, 'spam');
    expect(bus.publish).toHaveBeenCalledWith(Subjects.user(appId, 'kim'), [UserMsgKind.BANNED, { epoch: 41 }]);
    expect(status.offline).toHaveBeenCalledWith([gone]);
    expect(services.emit).toHaveBeenCalledWith(Subjects.presence.wentOffline, { sessions: [gone] });
  });

  it('still tells the gateways when the registry had no session (a login may be registering), but reports no status change', async () => {
    const { sut, bus, services, status } = setup({ gone: null, epoch: 7, until: null });
    await expect(sut.kick({ appId, uid: 'kim', banSeconds: 0 })).resolves.toEqual({ kicked: false, until: null });
    expect(bus.publish).toHaveBeenCalledWith(Subjects.user(appId, 'kim'), [UserMsgKind.BANNED, { epoch: 7 }]);
    expect(status.offline).not.toHaveBeenCalled();
    expect(services.emit).not.toHaveBeenCalled();
  });

  it.each<[string, Partial<KickUserRequest>, ErrorCode]>([
    ['a negative ban', { banSeconds: -1 }, ErrorCode.INVALID_ARGUMENT],
    ['a ban past a year', { banSeconds: 31_536_001 }, ErrorCode.INVALID_ARGUMENT],
    ['a fractional ban', { banSeconds: 1.5 }, ErrorCode.INVALID_ARGUMENT],
    ['a reason past 256 characters', { reason: 'r'.repeat(257) }, ErrorCode.INVALID_ARGUMENT],
    ['an invalid uid', { uid: ' bad' }, ErrorCode.INVALID_USER_ID],
  ])('refuses %s', async (_what, over, code) => {
    const { sut, repository } = setup({ gone: null, epoch: 1, until: null });
    await expect(sut.kick({ appId, uid: 'kim', banSeconds: 10, ...over })).rejects.toMatchObject({ code });
    expect(repository.kick).not.toHaveBeenCalled();
  });
});
