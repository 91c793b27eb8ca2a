import { PeerState, type AppId } from '@parley/contracts';
import type { ServicesClient } from '../clients/services.client';
import type { AdminAppsRepository } from './admin-apps.repository';
import { AdminLookupService } from './admin-lookup.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const metadata = { majorRevision: 3, items: [{ key: 'k', value: 'v', revision: 3, updateTs: 0, authorUserId: '' }] };

function setup(app = true) {
  const services = {
    userSessions: jest.fn(async () => ({
      state: PeerState.UNREACHABLE,
      sessions: [{ gatewayId: 'local-gw1@0123456789ab', loggedInAt: 1_800_000_000_000, state: PeerState.UNREACHABLE }],
    })),
    userChannels: jest.fn(async () => ({ channels: ['a', 'b'] })),
    userAttributes: jest.fn(async () => ({ mood: 'calm' })),
    userMetadata: jest.fn(async () => metadata),
    counts: jest.fn(async () => [2]),
    membersPage: jest.fn(async () => ({ members: ['alice', 'bob', 'carol'], next: null })),
    channelAttributes: jest.fn(async () => ({ topic: { value: 'x', lastUpdateUserId: 'alice', lastUpdateTs: 5 } })),
    channelMetadata: jest.fn(async () => ({ majorRevision: 0, items: [] })),
  };
  const apps = { find: jest.fn(async () => (app ? { id: appId } : null)) };
  return { sut: new AdminLookupService(services as unknown as ServicesClient, apps as unknown as AdminAppsRepository), services };
}

describe('AdminLookupService', () => {
  it('shows a user: status, its session’s gateway (GATEWAY_ID) and login time, channels, attributes, metadata', async () => {
    const { sut, services } = setup();
    await expect(sut.user(appId, 'alice')).resolves.toEqual({
      appId,
      uid: 'alice',
      status: 'UNREACHABLE',
      sessions: [{ gatewayId: 'local-gw1', since: new Date(1_800_000_000_000).toISOString(), status: 'UNREACHABLE' }],
      channels: ['a', 'b'],
      attributes: { mood: 'calm' },
      metadata,
    });
    for (const ask of [services.userSessions, services.userChannels, services.userAttributes, services.userMetadata]) {
      expect(ask).toHaveBeenCalledWith({ appId, uid: 'alice' });
    }
  });

  it('shows a channel: count (never below the members listed), the first 1000 members, attributes, metadata', async () => {
    const { sut, services } = setup();
    await expect(sut.channel(appId, 'lobby')).resolves.toEqual({
      appId,
      channel: 'lobby',
      memberCount: 3,
      members: ['alice', 'bob', 'carol'],
      attributes: { topic: { value: 'x', lastUpdateUserId: 'alice', lastUpdateTs: 5 } },
      metadata: { majorRevision: 0, items: [] },
    });
    expect(services.membersPage).toHaveBeenCalledWith({ appId, ch: 'lobby', limit: 1000 });
    expect(services.counts).toHaveBeenCalledWith({ appId, chs: ['lobby'] });
  });

  it('answers 404 for an unknown app and asks no service', async () => {
    const { sut, services } = setup(false);
    await expect(sut.user(appId, 'alice')).rejects.toMatchObject({ status: 404 });
    await expect(sut.channel(appId, 'lobby')).rejects.toMatchObject({ status: 404 });
    expect(services.userSessions).not.toHaveBeenCalled();
    expect(services.counts).not.toHaveBeenCalled();
  });
});
