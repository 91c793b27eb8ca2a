import { ErrorCode, type AppId } from '@parley/contracts';
import type { AdminRepository } from './admin.repository';
import { AdminService } from './admin.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup() {
  const repository = { totals: jest.fn(async (app: AppId | null) => (app === null ? { channels: 9, members: 40 } : { channels: 1, members: 2 })) };
  return { sut: new AdminService(repository as unknown as AdminRepository), repository };
}

describe('channel AdminService', () => {
  it('counts all apps or one, each at most once per second', async () => {
    const { sut, repository } = setup();
    await expect(sut.channelStats({})).resolves.toEqual({ channels: 9, members: 40 });
    await expect(sut.channelStats({ appId })).resolves.toEqual({ channels: 1, members: 2 });
    await sut.channelStats({ appId });
    expect(repository.totals.mock.calls).toEqual([[null], [appId]]);
  });

  it('refuses an invalid app id', async () => {
    const { sut, repository } = setup();
    await expect(sut.channelStats({ appId: '../x' })).rejects.toMatchObject({ code: ErrorCode.INVALID_APP_ID });
    expect(repository.totals).not.toHaveBeenCalled();
  });
});
