import { Logger } from '@nestjs/common';
import type { NatsBus } from '@parley/platform';
import type { ChannelConfig } from '../config/channel.config';
import type { CountSignal } from '../members/count-signal';
import type { CountsDue, MembersRepository } from '../members/members.repository';
import type { MembersService } from '../members/members.service';
import type { LeaderLock } from './leader-lock';
import { LeaderService } from './leader.service';

const config = {
  COUNT_INTERVAL_MS: 1_000,
  COUNT_INTERVAL_LARGE_MS: 3_000,
  MEMBER_EVENTS_MAX: 512,
  LEADER_TICK_MS: 250,
  LEADER_SWEEP_MS: 10_000,
} as ChannelConfig;

const nothing: CountsDue = { due: [], nextDueMs: null };

describe('LeaderService', () => {
  let takeCountsDue: jest.Mock<Promise<CountsDue>, []>;
  let removeOffline: jest.Mock<Promise<number>, []>;
  let publish: jest.Mock;
  /** What a NOTIFY from another replica calls; what this replica's own changes call. */
  let notified: () => void;
  let localChange: (() => void) | undefined;
  let loseLock: () => void;
  let acquire: jest.Mock;
  let sut: LeaderService;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers();
    takeCountsDue = jest.fn().mockResolvedValue(nothing);
    removeOffline = jest.fn().mockResolvedValue(0);
    publish = jest.fn();
    acquire = jest.fn((onNotification: () => void) => {
      notified = onNotification;
      return Promise.resolve({ lost: new Promise<void>((resolve) => (loseLock = resolve)) });
    });
    const repository = { takeCountsDue, deleteEmpty: jest.fn().mockResolvedValue(undefined) } as unknown as MembersRepository;
    const members = { removeOffline } as unknown as MembersService;
    const lock = { acquire, release: jest.fn().mockResolvedValue(undefined) } as unknown as LeaderLock;
    const signal = {
      attachLeader: (wake: () => void) => {
        localChange = wake;
        return () => (localChange = undefined);
      },
    } as unknown as CountSignal;
    sut = new LeaderService(repository, members, { publish } as unknown as NatsBus, lock, signal, config);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    jest.useRealTimers();
  });

  /** Bootstraps and lets the first tick (taking the lock) finish. */
  async function lead(): Promise<void> {
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(sut.isLeader).toBe(true);
    expect(takeCountsDue).toHaveBeenCalledTimes(1); // changes from before it listened
  }

  it('runs no query while nothing is announced, except its safety sweep every LEADER_SWEEP_MS ± 20 %', async () => {
    await lead();
    await jest.advanceTimersByTimeAsync(7_900);
    expect(takeCountsDue).toHaveBeenCalledTimes(1);
    expect(removeOffline).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(4_200); // 12.1 s: the sweep ran once
    expect(takeCountsDue).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(takeCountsDue.mock.calls.length).toBeGreaterThanOrEqual(2 + 5);
    expect(takeCountsDue.mock.calls.length).toBeLessThanOrEqual(2 + 8);
  });

  it('publishes a count within LEADER_TICK_MS of a join announced by another replica', async () => {
    await lead();
    await jest.advanceTimersByTimeAsync(5_000);
    takeCountsDue.mockResolvedValueOnce({ due: [{ appId: 'a1', channelId: 'room', count: 3, ts: 42 }], nextDueMs: null });
    notified();
    await jest.advanceTimersByTimeAsync(0);
    expect(takeCountsDue).toHaveBeenCalledTimes(2);
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish.mock.calls[0]![1]).toEqual([expect.any(Number), { count: 3, ts: 42 }]);
  });

  it('publishes a count held by its interval when that interval ends, without polling meanwhile', async () => {
    await lead();
    await jest.advanceTimersByTimeAsync(1_000);
    takeCountsDue.mockResolvedValueOnce({ due: [], nextDueMs: 700 });
    takeCountsDue.mockResolvedValueOnce({ due: [{ appId: 'a1', channelId: 'room', count: 4, ts: 43 }], nextDueMs: null });
    localChange!(); // a join on the leader's own replica
    await jest.advanceTimersByTimeAsync(0);
    expect(takeCountsDue).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(699);
    expect(takeCountsDue).toHaveBeenCalledTimes(2);
    expect(publish).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(takeCountsDue).toHaveBeenCalledTimes(3);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('keeps ticks LEADER_TICK_MS apart however many changes are announced', async () => {
    await lead();
    const start = takeCountsDue.mock.calls.length;
    for (let t = 0; t < 1_000; t += 10) {
      notified();
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(takeCountsDue.mock.calls.length - start).toBeLessThanOrEqual(5);
    expect(takeCountsDue.mock.calls.length - start).toBeGreaterThanOrEqual(3);
  });

  it('ticks again after a tick during which a change was announced (the running query may have missed it)', async () => {
    await lead();
    await jest.advanceTimersByTimeAsync(1_000);
    let finish!: (v: CountsDue) => void;
    takeCountsDue.mockImplementationOnce(() => new Promise((resolve) => (finish = resolve)));
    notified();
    await jest.advanceTimersByTimeAsync(0);
    notified(); // while the query runs
    finish(nothing);
    await jest.advanceTimersByTimeAsync(250);
    expect(takeCountsDue).toHaveBeenCalledTimes(3);
  });

  it('runs no query while another replica holds the lock', async () => {
    acquire.mockImplementationOnce(() => new Promise(() => undefined)); // another replica leads
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(sut.isLeader).toBe(false);
    expect(takeCountsDue).not.toHaveBeenCalled();
  });

  it('steps down when the lock connection ends, and leads again once it holds a new one', async () => {
    await lead();
    loseLock();
    await jest.advanceTimersByTimeAsync(0);
    expect(sut.isLeader).toBe(false);
    await jest.advanceTimersByTimeAsync(30_000); // no sweep while not leading …
    expect(acquire).toHaveBeenCalledTimes(2); // … it asked for the lock again after a second
    expect(sut.isLeader).toBe(true);
    expect(takeCountsDue.mock.calls.length).toBeGreaterThanOrEqual(2);
  });
});
