import { ErrorCode, type AppId } from '@parley/contracts';
import { Subjects, UserMsgKind } from '@parley/contracts/internal';
import type { NatsBus } from '@parley/platform';
import type { ChannelConfig } from '../config/channel.config';
import type { MembersService } from '../members/members.service';
import type { ChannelBansRepository } from './channel-bans.repository';
import { ChannelBansService } from './channel-bans.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup() {
  const until = new Date(Date.now() + 60_000);
  const repository = {
    ban: jest.fn(async () => ({ removed: { appId, channelId: 'hall', uid: 'bob', count: 3 }, until })),
    list: jest.fn(async (_a: string, _c: string, limit: number) => Array.from({ length: limit }, (_, i) => ({ uid: `u${i}`, until }))),
  };
  const members = { left: jest.fn() };
  const bus = { publish: jest.fn() };
  const sut = new ChannelBansService(
    repository as unknown as ChannelBansRepository,
    members as unknown as MembersService,
    bus as unknown as NatsBus,
    { BANS_SWEEP_MS: 600_000 } as ChannelConfig,
  );
  return { sut, repository, members, bus, until };
}

describe('ChannelBansService', () => {
  it('announces the removal (MemberLeft, count) and tells the uid’s gateways it is out of the channel', async () => {
    const { sut, members, bus, until } = setup();
    await expect(sut.ban({ appId, ch: 'hall', uid: 'bob', seconds: 60 })).resolves.toEqual({ removed: true, until: until.getTime() });
    expect(members.left).toHaveBeenCalledWith([{ appId, channelId: 'hall', uid: 'bob', count: 3 }]);
    expect(bus.publish).toHaveBeenCalledWith(Subjects.user(appId, 'bob'), [UserMsgKind.CHANNEL_BANNED, { ch: 'hall' }]);
  });

  it.each([0, -5, 31_536_001, 2.5, '60'])('refuses a ban of %p seconds', async (seconds) => {
    const { sut, repository } = setup();
    await expect(sut.ban({ appId, ch: 'hall', uid: 'bob', seconds: seconds as number })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(repository.ban).not.toHaveBeenCalled();
  });

  it('pages the active bans: `next` is the last uid of a full page', async () => {
    const { sut, until } = setup();
    const page = await sut.list({ appId, ch: 'hall', limit: 2 });
    expect(page).toEqual({
      bans: [
        { uid: 'u0', until: until.getTime() },
        { uid: 'u1', until: until.getTime() },
      ],
      next: 'u1',
    });
    await expect(sut.list({ appId, ch: 'hall', limit: 2, after: ' bad' })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});
