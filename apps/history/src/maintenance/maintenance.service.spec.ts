import { readHistoryConfig } from '../config/history.config';
import { dayOf, dayOfPartition, partitionName, type PartitionsRepository } from '../store/partitions.repository';
import type { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceService } from './maintenance.service';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function setup(existingDays: number[], longestRetentionMs: number) {
  const days = new Set(existingDays);
  const partitions = {
    ensure: jest.fn(async (d: Iterable<number>) => {
      for (const day of d) days.add(day);
    }),
    days: jest.fn(async () => [...days].sort((a, b) => a - b)),
    drop: jest.fn(async (day: number) => void days.delete(day)),
  };
  const repository = {
    applyCaps: jest.fn(async () => 1),
    longestRetentionMs: jest.fn(async () => longestRetentionMs),
    forgetUsage: jest.fn(async () => undefined),
  };
  const config = readHistoryConfig({ HISTORY_PARTITIONS_AHEAD_DAYS: '2' });
  const sut = new MaintenanceService(partitions as unknown as PartitionsRepository, repository as unknown as MaintenanceRepository, config);
  return { sut, partitions, repository, days, config };
}

describe('MaintenanceService.run', () => {
  const now = Date.UTC(2026, 11, 3, 10, 30);
  const today = dayOf(now);

  it('creates today’s and the coming days’ partitions and applies the size caps', async () => {
    const { sut, partitions, repository, config } = setup([], 7 * DAY_MS);
    await sut.run(now);
    expect([...(partitions.ensure.mock.calls[0]![0] as Iterable<number>)]).toEqual([today, today + DAY_MS, today + 2 * DAY_MS]);
    expect(repository.applyCaps).toHaveBeenCalledWith(config.HISTORY_MAX_BYTES, config.HISTORY_RETENTION_MS);
  });

  it('drops exactly the days wholly older than the longest retention of any app', async () => {
    const existing = Array.from({ length: 10 }, (_, i) => today - i * DAY_MS);
    // 3 days and 10 hours: keep from 00:30 three days ago, so that day stays and the one before goes.
    const { sut, partitions, days, repository } = setup(existing, 3 * DAY_MS + 10 * HOUR_MS);
    const dropped = await sut.run(now);
    expect(dropped).toEqual(existing.slice(4).reverse());
    expect(partitions.drop).toHaveBeenCalledTimes(6);
    expect(Math.min(...days)).toBe(today - 3 * DAY_MS);
    expect(repository.forgetUsage).toHaveBeenCalledWith(today - 3 * DAY_MS);
  });

  it('drops nothing while every day is within the retention', async () => {
    const { sut, partitions } = setup([today - DAY_MS, today], 7 * DAY_MS);
    expect(await sut.run(now)).toEqual([]);
    expect(partitions.drop).not.toHaveBeenCalled();
  });
});

describe('day partitions', () => {
  it('names a UTC day and reads it back; other tables are not ours', () => {
    const day = Date.UTC(2026, 0, 31);
    expect(partitionName(day)).toBe('history_messages_20260131');
    expect(dayOfPartition(partitionName(day))).toBe(day);
    expect(dayOf(day + DAY_MS - 1)).toBe(day);
    expect(dayOfPartition('history_messages_default')).toBeUndefined();
    expect(dayOfPartition('history_usage')).toBeUndefined();
  });
});
