import { createHash } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Alarm } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { MembersRepository } from './members.repository';

/**
 * The Postgres notification channel on which replicas wake the channel leader: one per subject
 * prefix, like the leader's lock, so deployments sharing a database never wake each other's leader.
 */
export function countsNotifyChannel(prefix: string): string {
  return `parley_counts_${createHash('sha256').update(prefix).digest('hex').slice(0, 32)}`;
}

/**
 * Tells the channel leader that a member count changed, so it queries only when a count can be due.
 * On the leader's replica that is a call; any other replica sends a NOTIFY once its change has
 * committed (the leader's next query sees it), at most one per LEADER_TICK_MS: a change while one
 * is held back is announced by that one, sent at the end of the interval.
 */
@Injectable()
export class CountSignal implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CountSignal.name);
  readonly channel: string;
  private leader?: () => void;
  private lastSent = -Infinity;
  private readonly held = new Alarm(() => void this.send());

  constructor(
    private readonly repository: MembersRepository,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {
    this.channel = countsNotifyChannel(config.PARLEY_SUBJECT_PREFIX);
  }

  /** While this replica leads: changes wake `wake` directly. Returns the detach. */
  attachLeader(wake: () => void): () => void {
    this.leader = wake;
    return () => {
      if (this.leader === wake) this.leader = undefined;
    };
  }

  /** A count changed (the change is committed). */
  changed(): void {
    if (this.leader) return this.leader();
    if (this.held.dueIn !== Infinity) return; // the notification held back announces this change too
    this.held.in(this.lastSent + this.config.LEADER_TICK_MS - performance.now());
  }

  /** A notification still held back goes out before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.held.dueIn === Infinity) return;
    this.held.cancel();
    await this.send();
  }

  private async send(): Promise<void> {
    this.lastSent = performance.now();
    try {
      await this.repository.notifyCountsChanged(this.channel);
    } catch (err) {
      // The change is committed: announce it again later (the leader's slow sweep is the last net).
      this.logger.warn(`count change notification failed: ${(err as Error).message}`);
      this.held.in(this.config.LEADER_TICK_MS);
    }
  }
}
