import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { Alarm, jittered, NatsBus } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { CountSignal } from '../members/count-signal';
import { MembersRepository } from '../members/members.repository';
import { MembersService } from '../members/members.service';
import { LeaderLock } from './leader-lock';

/** Empty channel rows are deleted at most this often. */
const DELETE_EMPTY_EVERY_MS = 60_000;
/** After a failed tick, or a lost lock connection, the next attempt comes this much later. */
const RETRY_MS = 1_000;

/**
 * Exactly one channel replica leads: it holds a Postgres advisory lock on a connection of its own
 * (LeaderLock; released by the server if the replica dies, and granted at once to a waiting one).
 * The leader publishes each channel's MemberCountUpdated at most once per interval and ends
 * memberships of users who went offline (the same also runs when presence announces them).
 *
 * It queries only when something can be due: a tick runs when a count changed (CountSignal: a call
 * on this replica, a NOTIFY from another), when a changed count's interval ends (each tick learns the
 * next one), and on a slow safety sweep every LEADER_SWEEP_MS (± 20 %) for a change whose
 * announcement was lost. Ticks are at least LEADER_TICK_MS apart. An idle leader runs no query
 * between sweeps.
 */
@Injectable()
export class LeaderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaderService.name);
  private leading = false;
  private stopped = false;
  private ticking = false;
  /** A wake came during a tick: that tick may have missed the change, run another. */
  private again = false;
  private lastTick = -Infinity;
  private lastEmptyDelete = -Infinity;
  private readonly nextTick = new Alarm(() => void this.tick());
  private readonly sweep = new Alarm(() => {
    this.wake();
    this.sweep.in(jittered(this.config.LEADER_SWEEP_MS));
  });

  constructor(
    private readonly repository: MembersRepository,
    private readonly members: MembersService,
    private readonly bus: NatsBus,
    private readonly lock: LeaderLock,
    private readonly signal: CountSignal,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  onApplicationBootstrap(): void {
    void this.leadWhileRunning();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stepDown();
    await this.lock.release();
  }

  /** A count may have changed: tick as soon as the spacing of ticks allows. */
  wake(): void {
    if (!this.leading) return;
    if (this.ticking) this.again = true;
    else this.tickIn(0);
  }

  /** Waits for the lock, leads until its connection ends, and waits again. */
  private async leadWhileRunning(): Promise<void> {
    while (!this.stopped) {
      try {
        const { lost } = await this.lock.acquire(() => this.wake());
        if (this.stopped) return;
        this.leading = true;
        this.logger.log('leading: member counts and offline cleanup');
        const detach = this.signal.attachLeader(() => this.wake());
        // Changes announced before this replica listened: the first tick sees them.
        this.wake();
        this.sweep.in(jittered(this.config.LEADER_SWEEP_MS));
        await lost;
        detach();
        this.stepDown();
        if (!this.stopped) this.logger.warn('lost the leader lock with its connection');
      } catch (err) {
        if (!this.stopped) this.logger.warn(`waiting for the leader lock failed: ${(err as Error).message}`);
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
    }
  }

  private stepDown(): void {
    this.leading = false;
    this.nextTick.cancel();
    this.sweep.cancel();
  }

  private tickIn(ms: number): void {
    this.nextTick.in(Math.max(ms, this.lastTick + this.config.LEADER_TICK_MS - performance.now()));
  }

  private async tick(): Promise<void> {
    if (!this.leading) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.lastTick = performance.now();
    try {
      const { due, nextDueMs } = await this.repository.takeCountsDue(
        this.config.COUNT_INTERVAL_MS,
        this.config.COUNT_INTERVAL_LARGE_MS,
        this.config.MEMBER_EVENTS_MAX,
      );
      for (const c of due) {
        this.bus.publish(Subjects.channelEvents(c.appId as AppId, c.channelId), [ChanMsgKind.MEMBER_COUNT, { count: c.count, ts: c.ts }]);
      }
      await this.members.removeOffline();
      if (performance.now() - this.lastEmptyDelete >= DELETE_EMPTY_EVERY_MS) {
        this.lastEmptyDelete = performance.now();
        await this.repository.deleteEmpty();
      }
      if (nextDueMs !== null) this.tickIn(nextDueMs);
    } catch (err) {
      this.logger.warn(`leader tick failed: ${(err as Error).message}`);
      this.tickIn(RETRY_MS);
    } finally {
      this.ticking = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    }
  }
}
