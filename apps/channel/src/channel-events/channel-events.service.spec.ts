import { Logger } from '@nestjs/common';
import { ErrorCode, type AppId } from '@parley/contracts';
import { PULL_CONSUMER } from '@parley/contracts/internal';
import type { ChannelConfig } from '../config/channel.config';
import type { ChannelEventsRepository } from './channel-events.repository';
import { ChannelEventsService } from './channel-events.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const config = { EVENTS_QUEUE_MAX: 2_000, EVENTS_TAKE_MAX: 1_000, EVENTS_RETENTION_MS: 86_400_000, EVENTS_SWEEP_MS: 600_000 } as ChannelConfig;

function setup() {
  const repository = { take: jest.fn().mockResolvedValue([]) };
  const sut = new ChannelEventsService(repository as unknown as ChannelEventsRepository, config);
  return { sut, repository };
}

describe('ChannelEventsService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it("takes from the app's pull queue within the configured limits and answers Agora's keys", async () => {
    const { sut, repository } = setup();
    repository.take.mockResolvedValue([{ channelId: 'room', uid: 'ann', type: 'Join', ts: 1_700_000_000_000 }]);
    await expect(sut.take({ appId, max: 20 })).resolves.toEqual({
      events: [{ channel_id: 'room', user_id: 'ann', type: 'Join', ts: 1_700_000_000_000 }],
    });
    expect(repository.take).toHaveBeenCalledWith(appId, PULL_CONSUMER, 2_000, 20);
  });

  it('rejects a malformed app id without touching the queue', async () => {
    const { sut, repository } = setup();
    await expect(sut.take({ appId: 'nope' })).rejects.toMatchObject({ code: ErrorCode.INVALID_APP_ID });
    expect(repository.take).not.toHaveBeenCalled();
  });
});
