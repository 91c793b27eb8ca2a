import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { fromSubjectToken, isAppId, isUid, PeerState } from '@parley/contracts';
import { Subjects, type StatusChange } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { Subscription } from 'nats';
import { INVITATION_CONFIG, type InvitationConfig } from '../config/invitation.config';
import { InvitationNotifier } from './invitation-notifier';
import { InvitationsRepository } from './invitations.repository';

/**
 * Ends the invitations no party will finish: those past their deadline (a sweep on every replica;
 * each row is failed by one) and those of a uid that went OFFLINE (presence's status events, taken
 * by one replica of the queue group).
 */
@Injectable()
export class InvitationWatchService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvitationWatchService.name);
  private sweeper?: NodeJS.Timeout;
  private statusSub?: Subscription;
  /** Work in progress (a sweep, offline failures), awaited before the database connection closes. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private sweeping = false;

  constructor(
    private readonly repository: InvitationsRepository,
    private readonly notifier: InvitationNotifier,
    private readonly bus: NatsBus,
    @Inject(INVITATION_CONFIG) private readonly config: InvitationConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.statusSub = this.bus.subscribe(Subjects.allStatus, (body, msg) => this.track(this.onStatus(body, msg.subject)), {
      queue: Subjects.queue('invitation'),
    });
    this.sweeper = setInterval(() => {
      // A slow sweep is not overlapped by the next tick.
      if (!this.sweeping) this.track(this.sweep());
    }, this.config.INVITATION_SWEEP_MS);
    this.sweeper.unref();
  }

  /** Before the NATS connection drains and Prisma disconnects (both in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    this.bus.unsubscribe(this.statusSub);
    this.statusSub = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Fails invitations past their deadline and deletes those ended long ago; returns how many failed. */
  async sweep(): Promise<number> {
    this.sweeping = true;
    try {
      const failed = await this.repository.failOverdue();
      this.notifier.publish(failed);
      await this.repository.deleteEnded(this.config.INVITATION_KEEP_ENDED_MS);
      return failed.length;
    } catch (err) {
      this.logger.warn(`invitation sweep failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  /** A status change on `<prefix>.<appId>.status.<uid>`: OFFLINE fails the uid's open invitations. */
  async onStatus(body: unknown, subject: string): Promise<number> {
    try {
      if (!Array.isArray(body)) return 0;
      const [uid, state] = body as StatusChange;
      if (state !== PeerState.OFFLINE) return 0;
      const tokens = subject.split('.');
      const appId = tokens[tokens.length - 3];
      if (!isAppId(appId) || !isUid(uid) || fromSubjectToken(tokens[tokens.length - 1]!) !== uid) {
        this.logger.warn({ msg: 'malformed status change', subject });
        return 0;
      }
      const failed = await this.repository.failOpenOf(appId, uid);
      this.notifier.publish(failed);
      return failed.length;
    } catch (err) {
      this.logger.warn(`offline status handling failed: ${(err as Error).message}`);
      return 0;
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
