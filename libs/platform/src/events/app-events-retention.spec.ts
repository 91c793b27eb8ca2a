import { Logger } from '@nestjs/common';
import type { PrismaService } from '../prisma/prisma.service';
import { AppEventsRetention } from './app-events-retention';

function setup() {
  // $executeRaw as a tagged template: the values are the kind, the retention interval and the batch size.
  const executeRaw = jest.fn().mockResolvedValue(0);
  const prisma = { $executeRaw: (_sql: TemplateStringsArray, ...values: unknown[]) => executeRaw(...values) } as unknown as PrismaService;
  const sut = new AppEventsRetention(prisma, { kind: 'media', retentionMs: 86_400_000, intervalMs: 600_000 });
  return { sut, executeRaw };
}

describe('AppEventsRetention', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('deletes its kind’s expired events in batches until one comes back short', async () => {
    const { sut, executeRaw } = setup();
    executeRaw.mockResolvedValueOnce(5_000).mockResolvedValueOnce(5_000).mockResolvedValueOnce(12);
    await expect(sut.sweep()).resolves.toBe(10_012);
    expect(executeRaw).toHaveBeenCalledTimes(3);
    expect(executeRaw).toHaveBeenCalledWith('media', '86400000 milliseconds', 5_000);
  });

  it('sweeps once per interval (± 20 %), one query when there is nothing to delete, and stops at shutdown', async () => {
    jest.useFakeTimers();
    const { sut, executeRaw } = setup();
    sut.onApplicationBootstrap();
    expect(executeRaw).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(720_000);
    expect(executeRaw).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(720_000);
    expect(executeRaw).toHaveBeenCalledTimes(2);
    await sut.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(executeRaw).toHaveBeenCalledTimes(2);
  });

  it('survives a failing sweep', async () => {
    const { sut, executeRaw } = setup();
    executeRaw.mockRejectedValue(new Error('database down'));
    await expect(sut.sweep()).resolves.toBe(0);
  });
});
