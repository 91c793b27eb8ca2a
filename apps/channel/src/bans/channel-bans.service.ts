import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode, isUid, ParleyError, requireAppId, requireChannelId, requireUid } from '@parley/contracts';
import {
  BAN_SECONDS_MAX,
  Subjects,
  UserMsgKind,
  type BanLiftReply,
  type ChannelBanLiftRequest,
  type ChannelBannedMessage,
  type ChannelBanReply,
  type ChannelBanRequest,
  type ChannelBansPage,
  type ChannelBansRequest,
} from '@parley/contracts/internal';
import { BatchedSweep, NatsBus } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { MembersService } from '../members/members.service';
import { ChannelBansRepository } from './channel-bans.repository';

/** Largest page of a channel's bans (the server API). */
const BANS_PAGE_MAX = 1000;
/** Rows one sweep statement deletes; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 5_000;

const isBanSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= BAN_SECONDS_MAX;

/**
 * Channel bans (the server API): the uid leaves the channel now (its peers see MemberLeft, its own
 * sessions stop being members on their gateways) and its joins are refused until the ban ends
 * (checked by the join's statement).
 */
@Injectable()
export class ChannelBansService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChannelBansService.name);
  private readonly cleanup: BatchedSweep;

  constructor(
    private readonly repository: ChannelBansRepository,
    private readonly members: MembersService,
    private readonly bus: NatsBus,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {
    this.cleanup = new BatchedSweep({
      what: 'ended channel bans',
      intervalMs: config.BANS_SWEEP_MS,
      batch: SWEEP_BATCH,
      deleteBatch: (batch) => this.repository.deleteExpired(batch),
      logger: this.logger,
    });
  }

  async ban(req: ChannelBanRequest): Promise<ChannelBanReply> {
    const appId = requireAppId(req?.appId);
    const ch = requireChannelId(req.ch);
    const uid = requireUid(req.uid);
    if (!isBanSeconds(req.seconds)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `seconds: 1–${BAN_SECONDS_MAX}`);
    const { removed, until } = await this.repository.ban(appId, ch, uid, req.seconds);
    if (removed) this.members.left([removed]);
    // Also when the uid was no member here: a join of its racing this ban may have been answered.
    const banned: ChannelBannedMessage = { ch };
    this.bus.publish(Subjects.user(appId, uid), [UserMsgKind.CHANNEL_BANNED, banned]);
    this.logger.log({ msg: 'banned from a channel', appId, ch, uid, seconds: req.seconds, removed: removed !== null });
    return { removed: removed !== null, until: until.getTime() };
  }

  async lift(req: ChannelBanLiftRequest): Promise<BanLiftReply> {
    return { lifted: await this.repository.lift(requireAppId(req?.appId), requireChannelId(req.ch), requireUid(req.uid)) };
  }

  /** Active bans a page at a time, in uid order: `next` is the last uid of a full page. */
  async list(req: ChannelBansRequest): Promise<ChannelBansPage> {
    const appId = requireAppId(req?.appId);
    const ch = requireChannelId(req.ch);
    const limit = Math.min(Math.max(1, Number(req.limit) || 1), BANS_PAGE_MAX);
    if (req.after !== undefined && req.after !== null && !isUid(req.after)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'after: a uid');
    const rows = await this.repository.list(appId, ch, limit, req.after ?? null);
    return { bans: rows.map((r) => ({ uid: r.uid, until: r.until.getTime() })), next: rows.length === limit ? rows[rows.length - 1]!.uid : null };
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
