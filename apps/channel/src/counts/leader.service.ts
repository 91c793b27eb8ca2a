import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { ADVISORY_LOCKS, DATABASE_URL, NatsBus } from '@parley/platform';
import { Client } from 'pg';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { MembersRepository } from '../members/members.repository';
import { MembersService } from '../members/members.service';

/**
 * pg_try_advisory_lock key held by the channel leader: (this class id, hash of the subject prefix),
 * so deployments that share a database (test stacks, a staging next to production) each have one.
 */
const LEADER_LOCK = ADVISORY_LOCKS.CHANNEL_LEADER;

/**
 * Exactly one channel replica leads: it holds a Postgres advisory lock on a connection of its own
 * (released by the server if the replica dies, so another takes over within a tick). The leader
 * publishes each channel's MemberCountUpdated at most once per interval and ends memberships of
 * users who went offline (the same also runs when presence announces them).
 */
@Injectable()
export class LeaderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaderService.name);
  private lockClient?: Client;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private ticks = 0;

  constructor(
    private readonly repository: MembersRepository,
    private readonly members: MembersService,
    private readonly bus: NatsBus,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.LEADER_TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.lockClient?.end().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      if (!(await this.holdLock())) return;
      for (const c of await this.repository.takeCountsDue(this.config.COUNT_INTERVAL_MS, this.config.COUNT_INTERVAL_LARGE_MS, this.config.MEMBER_EVENTS_MAX)) {
        this.bus.publish(Subjects.channelEvents(c.appId as AppId, c.channelId), [ChanMsgKind.MEMBER_COUNT, { count: c.count, ts: c.ts }]);
      }
      await this.members.removeOffline();
      if (++this.ticks % 240 === 0) await this.repository.deleteEmpty();
    } catch (err) {
      this.logger.warn(`leader tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async holdLock(): Promise<boolean> {
    if (this.leading) return true;
    if (!this.lockClient) {
      const client = new Client({ connectionString: this.databaseUrl });
      client.on('error', () => {
        // The lock went with the connection: try again with a new one.
        this.leading = false;
        this.lockClient = undefined;
      });
      await client.connect();
      this.lockClient = client;
    }
    const { rows } = await this.lockClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
      LEADER_LOCK,
      this.config.PARLEY_SUBJECT_PREFIX,
    ]);
    this.leading = rows[0]!.locked;
    if (this.leading) this.logger.log('leading: member counts and offline cleanup');
    return this.leading;
  }
}
