import { Logger } from '@nestjs/common';
import type { NatsBus } from '@parley/platform';
import { readInvitationConfig } from '../config/invitation.config';
import type { InvitationNotifier } from './invitation-notifier';
import { InvitationWatchService } from './invitation-watch.service';
import type { InvitationRecord, InvitationsRepository } from './invitations.repository';

const config = readInvitationConfig({ INVITATION_SWEEP_MS: '10000', INVITATION_SWEEP_GAP_MS: '250' });
const record = { appId: 'a1', snapshot: { id: 'inv' } } as unknown as InvitationRecord;

describe('InvitationWatchService (when it sweeps)', () => {
  let nextDeadlineIn: jest.Mock<Promise<number | null>, []>;
  let failOverdue: jest.Mock<Promise<InvitationRecord[]>, []>;
  let deleteEnded: jest.Mock<Promise<number>, [number]>;
  let publish: jest.Mock;
  let sut: InvitationWatchService;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers();
    nextDeadlineIn = jest.fn().mockResolvedValue(null);
    failOverdue = jest.fn().mockResolvedValue([record]);
    deleteEnded = jest.fn().mockResolvedValue(0);
    publish = jest.fn();
    const repository = { nextDeadlineIn, failOverdue, deleteEnded } as unknown as InvitationsRepository;
    const bus = { subscribe: jest.fn(), unsubscribe: jest.fn() } as unknown as NatsBus;
    sut = new InvitationWatchService(repository, { publish } as unknown as InvitationNotifier, bus, config);
  });

  afterEach(async () => {
    await sut.beforeApplicationShutdown();
    jest.useRealTimers();
  });

  async function start(): Promise<void> {
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(nextDeadlineIn).toHaveBeenCalledTimes(1); // deadlines set before it started
  }

  it('with no open invitation, runs one query per safety sweep (every INVITATION_SWEEP_MS ± 20 %) and fails nothing', async () => {
    await start();
    await jest.advanceTimersByTimeAsync(7_900);
    expect(nextDeadlineIn).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(nextDeadlineIn.mock.calls.length).toBeGreaterThanOrEqual(1 + 5);
    expect(nextDeadlineIn.mock.calls.length).toBeLessThanOrEqual(1 + 9);
    expect(failOverdue).not.toHaveBeenCalled();
    expect(deleteEnded.mock.calls.length).toBeLessThanOrEqual(2); // at most once a minute
  });

  it('sweeps when a deadline it set passes, not before', async () => {
    await start();
    sut.deadlineIn(800);
    await jest.advanceTimersByTimeAsync(790);
    expect(nextDeadlineIn).toHaveBeenCalledTimes(1);
    nextDeadlineIn.mockResolvedValueOnce(-2).mockResolvedValueOnce(null);
    await jest.advanceTimersByTimeAsync(20);
    expect(failOverdue).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith([record]);
  });

  it('wakes at the next deadline a sweep read (one another replica set)', async () => {
    nextDeadlineIn.mockResolvedValueOnce(3_000);
    await start();
    nextDeadlineIn.mockResolvedValueOnce(-1).mockResolvedValueOnce(null);
    await jest.advanceTimersByTimeAsync(2_990);
    expect(failOverdue).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(20);
    expect(failOverdue).toHaveBeenCalledTimes(1);
  });

  it('looks again soon when rows stay overdue (held by a concurrent transition)', async () => {
    await start();
    nextDeadlineIn.mockResolvedValueOnce(-5).mockResolvedValueOnce(-5).mockResolvedValueOnce(-5).mockResolvedValueOnce(null);
    sut.deadlineIn(0);
    await jest.advanceTimersByTimeAsync(250); // the gap after the start's sweep
    expect(failOverdue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(250);
    expect(failOverdue).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(failOverdue).toHaveBeenCalledTimes(2);
  });

  it('keeps its sweeps INVITATION_SWEEP_GAP_MS apart however many deadlines pass', async () => {
    await start();
    nextDeadlineIn.mockResolvedValue(-1);
    failOverdue.mockResolvedValue([]);
    for (let t = 0; t < 1_000; t += 10) {
      sut.deadlineIn(0);
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(failOverdue.mock.calls.length).toBeLessThanOrEqual(5);
    expect(failOverdue.mock.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('sets no alarm before it starts or after it stopped', async () => {
    sut.deadlineIn(10);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(nextDeadlineIn).not.toHaveBeenCalled();
    await start();
    await sut.beforeApplicationShutdown();
    sut.deadlineIn(10);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(nextDeadlineIn).toHaveBeenCalledTimes(1);
  });
});
