import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode, ParleyError, requireAppId, requireUid } from '@parley/contracts';
import {
  BAN_SECONDS_MAX,
  KICK_REASON_MAX,
  Subjects,
  UserMsgKind,
  type BanLiftReply,
  type BannedMessage,
  type KickUserReply,
  type KickUserRequest,
  type UserBanReply,
  type UserBanRequest,
} from '@parley/contracts/internal';
import { BatchedSweep, NatsBus, ServiceClient } from '@parley/platform';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { StatusPublisher } from '../status/status-publisher';
import { UserBansRepository } from './user-bans.repository';

/** Rows one sweep statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

const isBanSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= BAN_SECONDS_MAX;

/**
 * Kicks (the server API): every session of a uid ends on every gateway and the uid is OFFLINE at
 * once; a ban refuses its logins until it ends (checked by the statement that registers logins).
 */
@Injectable()
export class UserBansService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UserBansService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: UserBansRepository,
    private readonly bus: NatsBus,
    private readonly services: ServiceClient,
    private readonly status: StatusPublisher,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'ended user bans',
      intervalMs: config.BANS_SWEEP_MS,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.repository.deleteExpired(batch),
      logger: this.logger,
    });
  }

  /**
   * Patterns.presence.kick: bans (banSeconds > 0) and removes the uid's session in one statement,
   * then tells every gateway (the user subject) to end the uid's sessions registered before it, the
   * status watchers that the uid is OFFLINE, and the channel service to end its memberships.
   */
  async kick(req: KickUserRequest): Promise<KickUserReply> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    if (!isBanSeconds(req.banSeconds)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `banSeconds: 0–${BAN_SECONDS_MAX}`);
    const reason = req.reason ?? null;
    if (reason !== null && (typeof reason !== 'string' || reason.length > KICK_REASON_MAX)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `reason: at most ${KICK_REASON_MAX} characters`);
    }
    const r = await this.repository.kick(appId, uid, req.banSeconds, reason);
    const banned: BannedMessage = { epoch: r.epoch };
    this.bus.publish(Subjects.user(appId, uid), [UserMsgKind.BANNED, banned]);
    if (r.gone) {
      this.status.offline([r.gone]);
      this.services.emit(Subjects.presence.wentOffline, { sessions: [r.gone] });
    }
    this.logger.log({ msg: 'user kicked', appId, uid, banSeconds: req.banSeconds, reason, hadSession: r.gone !== null });
    return { kicked: r.gone !== null, until: r.until?.getTime() ?? null };
  }

  async ban(req: UserBanRequest): Promise<UserBanReply> {
    const until = await this.repository.activeUntil(requireAppId(req?.appId), requireUid(req.uid));
    return { until: until?.getTime() ?? null };
  }

  async lift(req: UserBanRequest): Promise<BanLiftReply> {
    return { lifted: await this.repository.lift(requireAppId(req?.appId), requireUid(req.uid)) };
  }

  onApplicationBootstrap(): void {
    this.cleanup.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.cleanup.stop();
  }

  /** Deletes bans that ended (queries ignore them already); a sweep still running is joined. */
  sweep(): Promise<number> {
    return this.cleanup.sweep();
  }
}
