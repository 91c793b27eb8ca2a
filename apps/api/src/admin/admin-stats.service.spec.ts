import type { AppId } from '@parley/contracts';
import type { GatewayStatsReply } from '@parley/contracts/internal';
import type { ServicesClient } from '../clients/services.client';
import type { ApiConfig } from '../config/api.config';
import type { AdminAppsRepository } from './admin-apps.repository';
import { AdminStatsService } from './admin-stats.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const gw = (id: string, peer: number, channel: number, startedAt = 1_800_000_000_000): GatewayStatsReply => ({
  id,
  instance: `${id}@0123456789ab`,
  startedAt,
  sessions: 2,
  connections: 3,
  messages: { peer, channel },
});

function setup(app = true) {
  const services = {
    presenceStats: jest.fn(async () => ({ online: 4, unreachable: 1, gateways: 2 })),
    channelStats: jest.fn(async () => ({ channels: 2, members: 5 })),
    gatewayStats: jest.fn(async () => [gw('gw1', 10, 1), gw('gw0', 5, 2)]),
  };
  const apps = { find: jest.fn(async () => (app ? { id: appId } : null)) };
  const sut = new AdminStatsService(services as unknown as ServicesClient, apps as unknown as AdminAppsRepository, { ADMIN_STATS_WINDOW_MS: 300 } as ApiConfig);
  return { sut, services, apps };
}

describe('AdminStatsService', () => {
  it('joins the registry’s, the channel service’s and the gateways’ counts; sums the message totals', async () => {
    const { sut, services, apps } = setup();
    const stats = await sut.stats({});
    expect(stats).toEqual({
      at: expect.any(String),
      appId: null,
      sessions: { online: 4, unreachable: 1 },
      channels: 2,
      members: 5,
      gateways: [
        { id: 'gw0', startedAt: new Date(1_800_000_000_000).toISOString(), sessions: 2, connections: 3, messages: { peer: 5, channel: 2 } },
        { id: 'gw1', startedAt: new Date(1_800_000_000_000).toISOString(), sessions: 2, connections: 3, messages: { peer: 10, channel: 1 } },
      ],
      gatewaysKnown: 2,
      messages: { peer: 15, channel: 3 },
    });
    expect(apps.find).not.toHaveBeenCalled();
    // Stops waiting once as many gateways answered as the registry knows live.
    expect(services.gatewayStats).toHaveBeenCalledWith({}, 300, 2);
  });

  it('counts one app when asked, after checking that it exists', async () => {
    const { sut, services } = setup();
    await expect(sut.stats({ appId })).resolves.toMatchObject({ appId });
    expect(services.presenceStats).toHaveBeenCalledWith({ appId });
    expect(services.channelStats).toHaveBeenCalledWith({ appId });
    expect(services.gatewayStats).toHaveBeenCalledWith({ appId }, 300, 2);
  });

  it('answers 404 for an unknown app and asks nobody', async () => {
    const { sut, services } = setup(false);
    await expect(sut.stats({ appId })).rejects.toMatchObject({ status: 404 });
    expect(services.presenceStats).not.toHaveBeenCalled();
  });

  it('reports no gateway and zero totals when none answered', async () => {
    const { sut, services } = setup();
    services.gatewayStats.mockResolvedValueOnce([]);
    await expect(sut.stats({})).resolves.toMatchObject({ gateways: [], gatewaysKnown: 2, messages: { peer: 0, channel: 0 } });
  });
});
