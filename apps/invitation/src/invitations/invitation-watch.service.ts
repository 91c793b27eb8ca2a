import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { fromSubjectToken, isAppId, isUid, PeerState, type AppId, type Uid } from '@parley/contracts';
import { Subjects, type StatusChange } from '@parley/contracts/internal';
import { Alarm, jittered, NatsBus } from '@parley/platform';
import type { Subscription } from 'nats';
import { INVITATION_CONFIG, type InvitationConfig } from '../config/invitation.config';
import { InvitationNotifier } from './invitation-notifier';
import { InvitationsRepository } from './invitations.repository';

/** A timer may fire a little before the database's clock passed the deadline it was set for. */
const SLACK_MS = 5;
/** Rows still overdue after a sweep (held by a concurrent transition, or beyond one batch): look again this soon. */
const RETRY_MS = 100;
/** OFFLINE statuses per statement (more in one turn make several). */
const OFFLINE_BATCH_MAX = 500;
/** Ended invitations are deleted at most this often (they are kept INVITATION_KEEP_ENDED_MS, 10 min by default). */
const DELETE_ENDED_EVERY_MS = 60_000;

/**
 * Ends the invitations no party will finish: those past their deadline (each row is failed by one
 * replica) and those of a uid that went OFFLINE (presence's status events, taken by one replica of
 * the queue group).
 *
 * A replica sweeps when a deadline it knows of passes: one it set (InvitationsService), or the
 * earliest open one, which every sweep reads. A safety sweep every INVITATION_SWEEP_MS (± 20 %)
 * finds deadlines only a replica that died knew of. With no open invitation, that sweep is all: one
 * indexed query.
 */
@Injectable()
export class InvitationWatchService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvitationWatchService.name);
  private statusSub?: Subscription;
  private started = false;
  private readonly nextDeadline = new Alarm(() => this.run());
  private readonly safetySweep = new Alarm(() => {
    this.run();
    this.safetySweep.in(jittered(this.config.INVITATION_SWEEP_MS));
  });
  /** A sweep was asked for while one ran: run another after it (the running one may have read too early). */
  private again = false;
  private lastSweep = -Infinity;
  private lastDeleteEnded = -Infinity;
  /** Work in progress (a sweep, offline failures), awaited before the database connection closes. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private sweeping = false;
  /** OFFLINE statuses of this event-loop turn, failed together (onStatus). */
  private offline: { appId: AppId; uid: Uid; resolve: (failed: number) => void }[] = [];

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
    this.started = true;
    this.run(); // deadlines set before this replica started
    this.safetySweep.in(jittered(this.config.INVITATION_SWEEP_MS));
  }

  /** Before the NATS connection drains and Prisma disconnects (both in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    this.nextDeadline.cancel();
    this.safetySweep.cancel();
    this.bus.unsubscribe(this.statusSub);
    this.statusSub = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /** An invitation's deadline passes in `ms`: sweep then (once this replica runs). */
  deadlineIn(ms: number): void {
    if (!this.started) return;
    this.nextDeadline.in(Math.max(ms + SLACK_MS, this.lastSweep + this.config.INVITATION_SWEEP_GAP_MS - performance.now()));
  }

  /**
   * Fails invitations past their deadline, deletes those ended long ago (at most once a minute) and
   * sets the alarm for the next deadline; returns how many failed.
   */
  async sweep(): Promise<number> {
    this.sweeping = true;
    this.lastSweep = performance.now();
    let failed = 0;
    try {
      let next = await this.repository.nextDeadlineIn();
      if (next !== null && next <= 0) {
        const records = await this.repository.failOverdue();
        this.notifier.publish(records);
        failed = records.length;
        next = await this.repository.nextDeadlineIn();
      }
      if (performance.now() - this.lastDeleteEnded >= DELETE_ENDED_EVERY_MS) {
        this.lastDeleteEnded = performance.now();
        await this.repository.deleteEnded(this.config.INVITATION_KEEP_ENDED_MS);
      }
      if (next !== null) this.deadlineIn(next <= 0 ? RETRY_MS : next);
    } catch (err) {
      this.logger.warn(`invitation sweep failed: ${(err as Error).message}`);
      this.deadlineIn(RETRY_MS * 10);
    } finally {
      this.sweeping = false;
      if (this.again) {
        this.again = false;
        this.run();
      }
    }
    return failed;
  }

  /**
   * A status change on `<prefix>.<appId>.status.<uid>`: OFFLINE fails the uid's open invitations;
   * resolves with how many. The OFFLINE statuses of one event-loop turn (a gateway's sessions going
   * OFFLINE together are thousands) are failed by one statement, up to OFFLINE_BATCH_MAX each.
   */
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
      return await new Promise<number>((resolve) => {
        this.offline.push({ appId, uid, resolve });
        if (this.offline.length === 1) setImmediate(this.flushOffline);
        else if (this.offline.length >= OFFLINE_BATCH_MAX) this.flushOffline();
      });
    } catch (err) {
      this.logger.warn(`offline status handling failed: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Fails the open invitations of the OFFLINE statuses queued in this turn with one statement, published; each status learns its own count. */
  private readonly flushOffline = (): void => {
    const batch = this.offline;
    if (!batch.length) return;
    this.offline = [];
    // A failed statement leaves these invitations to their deadlines (the sweep fails them then).
    void this.repository
      .failOpenOfMany(batch)
      .then((failed) => {
        this.notifier.publish(failed);
        for (const g of batch) g.resolve(failed.filter((r) => r.appId === g.appId && (r.snapshot.caller === g.uid || r.snapshot.callee === g.uid)).length);
      })
      .catch((err: unknown) => {
        this.logger.warn(`offline status handling failed: ${(err as Error).message}`);
        for (const g of batch) g.resolve(0); // no-op for those already told
      });
  };

  /** A sweep unless one runs (then one more after it). */
  private run(): void {
    if (!this.started) return;
    if (this.sweeping) this.again = true;
    else this.track(this.sweep());
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
