import { Logger } from '@nestjs/common';
import type { MediaConfig } from '../config/media.config';
import type { MediaEventsRepository } from './media-events.repository';
import { MediaEventsService } from './media-events.service';

const config = { EVENTS_RETENTION_MS: 86_400_000, EVENTS_SWEEP_MS: 600_000 } as MediaConfig;

function setup() {
  const repository = { deleteExpired: jest.fn().mockResolvedValue(0) };
  const sut = new MediaEventsService(repository as unknown as MediaEventsRepository, config);
  return { sut, repository };
}

describe('MediaEventsService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('deletes expired events in batches until one comes back short', async () => {
    const { sut, repository } = setup();
    repository.deleteExpired.mockResolvedValueOnce(5_000).mockResolvedValueOnce(5_000).mockResolvedValueOnce(12);
    await expect(sut.sweep()).resolves.toBe(10_012);
    expect(repository.deleteExpired).toHaveBeenCalledTimes(3);
    expect(repository.deleteExpired).toHaveBeenCalledWith(86_400_000, 5_000);
  });

  it('sweeps once per interval (± 20 %), one query when there is nothing to delete, and stops at shutdown', async () => {
    jest.useFakeTimers();
    const { sut, repository } = setup();
    sut.onApplicationBootstrap();
    expect(repository.deleteExpired).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(720_000);
    expect(repository.deleteExpired).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(720_000);
    expect(repository.deleteExpired).toHaveBeenCalledTimes(2);
    await sut.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(repository.deleteExpired).toHaveBeenCalledTimes(2);
  });

  it('survives a failing sweep', async () => {
    const { sut, repository } = setup();
    repository.deleteExpired.mockRejectedValue(new Error('database down'));
    await expect(sut.sweep()).resolves.toBe(0);
  });
});
