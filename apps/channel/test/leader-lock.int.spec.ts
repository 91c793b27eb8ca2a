import { randomBytes } from 'node:crypto';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl, waitFor } from '@parley/testing';
import type { ChannelConfig } from '../src/config/channel.config';
import { LeaderLock } from '../src/counts/leader-lock';
import { CountSignal } from '../src/members/count-signal';
import { MembersRepository } from '../src/members/members.repository';

/** "Medium" test: the leader's lock and the count notifications, against the real Postgres. */
describe('LeaderLock and CountSignal (Postgres)', () => {
  // A prefix of its own: no stack on this database shares the lock or the notification channel.
  const config = { PARLEY_SUBJECT_PREFIX: `leadertest${randomBytes(4).toString('hex')}`, LEADER_TICK_MS: 1_000 } as ChannelConfig;
  let prisma: PrismaService;
  let signal: CountSignal;
  const locks: LeaderLock[] = [];
  const newLock = () => {
    const lock = new LeaderLock(testDatabaseUrl(), config, signal);
    locks.push(lock);
    return lock;
  };

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    signal = new CountSignal(new MembersRepository(prisma), config);
  });

  afterAll(async () => {
    for (const lock of locks) await lock.release();
    await prisma.$disconnect();
  });

  it('grants the lock to one replica, hands it to a waiting one the moment the holder goes, and wakes the holder on NOTIFY', async () => {
    const notified: string[] = [];
    const first = newLock();
    const leading = await first.acquire(() => notified.push('first'));
    const second = newLock();
    let secondLeads = false;
    const waiting = second.acquire(() => notified.push('second')).then((l) => ((secondLeads = true), l));
    await new Promise((r) => setTimeout(r, 500));
    expect(secondLeads).toBe(false); // waiting in Postgres, not polling

    // A replica that does not lead announces a change: one NOTIFY, however many changes in the interval.
    signal.changed();
    signal.changed();
    await waitFor(() => notified.length === 1, { what: 'the leader notified' });
    signal.changed();
    await new Promise((r) => setTimeout(r, 50));
    expect(notified).toEqual(['first']); // held back until LEADER_TICK_MS after the previous one …
    await waitFor(() => notified.length === 2, { what: '… then sent' });
    expect(notified).toEqual(['first', 'first']);

    let lost = false;
    void leading.lost.then(() => (lost = true));
    const handedOverFrom = Date.now();
    await first.release();
    await waitFor(() => lost && secondLeads, { what: 'the lock handed over' });
    expect(Date.now() - handedOverFrom).toBeLessThan(1_000);
    await waiting;
    signal.changed();
    await waitFor(() => notified.at(-1) === 'second', { what: 'the new leader notified' });
  });

  it('calls the leader directly on its own replica (no NOTIFY)', async () => {
    const notify = jest.spyOn(MembersRepository.prototype, 'notifyCountsChanged');
    const wake = jest.fn();
    const detach = signal.attachLeader(wake);
    signal.changed();
    expect(wake).toHaveBeenCalledTimes(1);
    detach();
    await new Promise((r) => setTimeout(r, 1_100));
    expect(notify).not.toHaveBeenCalled();
    notify.mockRestore();
  });
});
