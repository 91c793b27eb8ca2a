import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  isAppId,
  isChannelId,
  isUid,
  ParleyError,
  requireAppId,
  requireChannelId,
  requireUid,
  type AppId,
  type ChannelId,
  type Uid,
} from '@parley/contracts';
import {
  ChanMsgKind,
  Subjects,
  type ChannelMembersPage,
  type ChannelMembersPageRequest,
  type UserChannelsReply,
  type UserChannelsRequest,
  type ChannelCountsRequest,
  type ChannelJoinReply,
  type ChannelJoinRequest,
  type ChannelLeaveSessionRequest,
  type ChannelLeaveRequest,
  type ChannelMembersRequest,
} from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { CountSignal } from './count-signal';
import { MembersRepository, type RemovedMember } from './members.repository';

const MAX_COUNT_IDS = 32;
/** Largest members page of the server API. */
const MEMBERS_PAGE_MAX = 1000;
/** A uid is in at most a few dozen channels (20 per session); the answer is capped here. */
const USER_CHANNELS_MAX = 1000;

function ids(appId: unknown, ch: unknown, uid?: unknown): { appId: AppId; ch: ChannelId; uid: Uid } {
  return { appId: requireAppId(appId), ch: requireChannelId(ch), uid: (uid === undefined ? uid : requireUid(uid)) as Uid };
}

/** Membership rules: who is in a channel, and the MemberJoined/MemberLeft events its members see. */
@Injectable()
export class MembersService {
  constructor(
    private readonly repository: MembersRepository,
    private readonly bus: NatsBus,
    private readonly countSignal: CountSignal,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  async join(req: ChannelJoinRequest): Promise<ChannelJoinReply> {
    const { appId, ch, uid } = ids(req?.appId, req?.ch, req?.uid);
    const { joined, count, bannedUntil } = await this.repository.join(appId, ch, uid, req.sessionId, req.gatewayId);
    // The server API banned the uid from this channel (checked by the join's own statement).
    if (bannedUntil) throw new ParleyError(ErrorCode.REJECTED, `banned from this channel until ${bannedUntil.toISOString()}`);
    // A member rejoining after a short drop was never gone: its peers see nothing.
    if (joined) {
      this.countSignal.changed();
      this.memberEvent(ChanMsgKind.MEMBER_JOINED, appId, ch, uid, count);
    }
    return { joined, count };
  }

  async leave(req: ChannelLeaveRequest): Promise<{ left: boolean }> {
    const { appId, ch, uid } = ids(req?.appId, req?.ch, req?.uid);
    const removed = await this.repository.leave(appId, ch, uid);
    if (removed) this.left([removed]);
    return { left: removed !== null };
  }

  async leaveSession(req: ChannelLeaveSessionRequest): Promise<{ left: number }> {
    if (!isAppId(req?.appId) || !isUid(req.uid) || typeof req.sessionId !== 'string') {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'appId, uid, sessionId');
    }
    const removed = await this.repository.leaveSession(req.appId, req.uid, req.sessionId);
    this.left(removed);
    return { left: removed.length };
  }

  /** Ends the memberships of users who have no session any more (presence swept them OFFLINE). */
  async removeOffline(): Promise<number> {
    const removed = await this.repository.removeOffline();
    this.left(removed);
    return removed.length;
  }

  async members(req: ChannelMembersRequest): Promise<string[]> {
    const { appId, ch } = ids(req?.appId, req?.ch);
    return this.repository.members(appId, ch, Math.min(Math.max(1, Number(req.limit) || 1), this.config.GET_MEMBERS_MAX));
  }

  /** Members a page at a time, in uid order (the server API): `next` is the last uid of a full page. */
  async membersPage(req: ChannelMembersPageRequest): Promise<ChannelMembersPage> {
    const { appId, ch } = ids(req?.appId, req?.ch);
    const limit = Math.min(Math.max(1, Number(req.limit) || 1), MEMBERS_PAGE_MAX);
    if (req.after !== undefined && req.after !== null && !isUid(req.after)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'after: a uid');
    const members = await this.repository.membersPage(appId, ch, limit, req.after ?? null);
    return { members, next: members.length === limit ? members[members.length - 1]! : null };
  }

  /** The channels a uid is in (at most USER_CHANNELS_MAX: the SDK lets a session join 20). */
  async userChannels(req: UserChannelsRequest): Promise<UserChannelsReply> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    return { channels: await this.repository.channelsOf(appId, uid, USER_CHANNELS_MAX) };
  }

  async counts(req: ChannelCountsRequest): Promise<number[]> {
    if (!isAppId(req?.appId)) throw new ParleyError(ErrorCode.INVALID_APP_ID, 'invalid app id');
    if (!Array.isArray(req.chs) || req.chs.length === 0 || req.chs.length > MAX_COUNT_IDS || !req.chs.every(isChannelId)) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `chs: 1–${MAX_COUNT_IDS} channel ids`);
    }
    const counts = await this.repository.counts(req.appId, req.chs);
    return req.chs.map((ch) => counts.get(ch) ?? 0);
  }

  /** Members removed (by any statement): the leader's count tick, and MemberLeft to the channels. */
  left(removed: RemovedMember[]): void {
    if (removed.length > 0) this.countSignal.changed();
    for (const r of removed) this.memberEvent(ChanMsgKind.MEMBER_LEFT, r.appId as AppId, r.channelId as ChannelId, r.uid as Uid, r.count);
  }

  /** Join/leave events stop above MEMBER_EVENTS_MAX members (agora-rtm 1.x); counts still flow. */
  private memberEvent(kind: ChanMsgKind, appId: AppId, ch: ChannelId, uid: Uid, countAfter: number): void {
    const countBefore = kind === ChanMsgKind.MEMBER_JOINED ? countAfter - 1 : countAfter + 1;
    if (Math.max(countBefore, countAfter) > this.config.MEMBER_EVENTS_MAX) return;
    this.bus.publish(Subjects.channelEvents(appId, ch), [kind, { uid }]);
  }
}
