import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createCodec,
  ErrorCode,
  Evt,
  Frame,
  isChannelId,
  ownString,
  ParleyError,
  type GetMembersArgs,
  type GetMembersResult,
  type JoinArgs,
  type JoinResult,
  type MemberCountEvent,
  type LeaveArgs,
  type MemberCountArgs,
  type MemberCountResult,
} from '@parley/contracts';
import type { ChannelBannedMessage, ChannelJoinReply } from '@parley/contracts/internal';
import { ChannelClient } from '../clients/channel.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { SessionsService, type SessionEnd } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { ChannelRecovery } from './channel-recovery';
import { ChannelSubscriptions } from './channel-subscriptions';
import { enforceRate } from '../transport/rate';

const codec = createCodec();
/** Ends after which the session's memberships end too (a resume keeps them; so does a gateway drain). */
const LEAVES_CHANNELS: ReadonlySet<SessionEnd> = new Set(['logout', 'remote-login', 'expired', 'banned']);

/** Joining and leaving channels, member events and counts for this gateway's sessions. */
@Injectable()
export class ChannelsService {
  private readonly logger = new Logger(ChannelsService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly channelService: ChannelClient,
    private readonly subscriptions: ChannelSubscriptions,
    private readonly recovery: ChannelRecovery,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async join(conn: Connection, args: JoinArgs): Promise<JoinResult> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    const rejoin = typeof args.since === 'number';
    const channels = (session.channels ??= new Set());
    const member = channels.has(ch);
    if (member && !rejoin) throw new ParleyError(ErrorCode.ALREADY_JOINED, 'already in this channel');
    if (!member && channels.size >= this.config.CHANNELS_PER_USER) {
      throw new ParleyError(ErrorCode.EXCEED_LIMIT, `at most ${this.config.CHANNELS_PER_USER} channels`);
    }
    if (rejoin) enforceRate(session, 'rejoin', this.config.REJOIN_RATE, ErrorCode.TOO_OFTEN, 'rejoins');
    else enforceRate(session, `join:${ch}`, this.config.JOIN_SAME_CHANNEL_RATE, ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN, 'joins of one channel');
    // Subscribe first, so nothing published after the join is missed.
    this.subscriptions.add(session, ch);
    channels.add(ownString(ch)); // kept for the session's life: not a slice of this frame's strings
    let reply: ChannelJoinReply;
    try {
      reply = await this.channelService.join({
        appId: session.appId,
        ch,
        uid: session.uid,
        sessionId: session.id,
        gatewayId: this.config.GATEWAY_ID,
        resume: rejoin,
      });
    } catch (err) {
      if (!member) {
        channels.delete(ch);
        this.subscriptions.remove(session, ch);
      }
      throw err;
    }
    if (session.ended) throw new ParleyError(ErrorCode.NOT_LOGGED_IN, 'session ended during join');
    if (!channels.has(ch)) {
      // Banned from the channel (CHANNEL_BANNED) while the join was in flight (or left meanwhile): a
      // join the service committed after the ban's statement must not stay.
      this.channelService.leave({ appId: session.appId, ch, uid: session.uid }).catch((err: Error) => this.logger.warn(`leaving ${ch}: ${err.message}`));
      throw new ParleyError(ErrorCode.REJECTED, 'no longer in this channel (banned or left during the join)');
    }
    const result: JoinResult = { count: reply.count, ts: Date.now() };
    if (rejoin && args.since! > 0) result.recovered = await this.recovery.replay(session, ch, args.since!, args.seen);
    return result;
  }

  async leave(conn: Connection, args: LeaveArgs): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.delete(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    this.subscriptions.remove(session, ch);
    await this.channelService.leave({ appId: session.appId, ch, uid: session.uid });
    return null;
  }

  async members(conn: Connection, args: GetMembersArgs): Promise<GetMembersResult> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.has(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    enforceRate(session, 'get-members', this.config.GET_MEMBERS_RATE);
    return this.channelService.members({ appId: session.appId, ch, limit: this.config.GET_MEMBERS_MAX });
  }

  async counts(conn: Connection, args: MemberCountArgs): Promise<MemberCountResult> {
    const session = this.sessions.requireSession(conn);
    const chs = args?.chs;
    if (!Array.isArray(chs) || chs.length === 0 || !chs.every(isChannelId)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'chs: channel ids');
    if (chs.length > this.config.MEMBER_COUNT_MAX_IDS) {
      throw new ParleyError(ErrorCode.EXCEED_LIMIT, `at most ${this.config.MEMBER_COUNT_MAX_IDS} channels per call`);
    }
    enforceRate(session, 'member-count', this.config.MEMBER_COUNT_RATE);
    return this.channelService.counts({ appId: session.appId, chs });
  }

  /**
   * UserMsgKind.CHANNEL_BANNED: the channel service removed the uid from a channel (and refuses its
   * joins for a while). Its sessions here stop being members at once: no more of the channel's
   * messages or events, and their next message / getMembers answers NOT_IN_CHANNEL. Agora 1.x has no
   * channel event for "you were removed"; its peers got MemberLeft from the channel service.
   */
  banned(sessions: ReadonlySet<Session>, body: unknown): void {
    const ch = (body as Partial<ChannelBannedMessage> | null)?.ch;
    if (typeof ch !== 'string') return;
    for (const session of sessions) {
      if (session.channels?.delete(ch)) this.subscriptions.remove(session, ch);
    }
  }

  /** A session ended here: its channel interest goes; its memberships too unless it may resume. */
  sessionEnded(session: Session, why: SessionEnd): void {
    if (!session.channels?.size) return;
    for (const ch of session.channels) this.subscriptions.remove(session, ch);
    if (!LEAVES_CHANNELS.has(why)) return;
    this.channelService
      .leaveSession({ appId: session.appId, uid: session.uid, sessionId: session.id })
      .catch((err: Error) => this.logger.warn(`leaving channels of ${session.uid}: ${err.message}`));
  }

  /** MemberJoined / MemberLeft to every local member but the one it is about. */
  memberEvent(evt: typeof Evt.MEMBER_JOINED | typeof Evt.MEMBER_LEFT, ch: string, members: ReadonlySet<Session>, body: unknown): void {
    const uid = (body as { uid?: unknown })?.uid;
    if (typeof uid !== 'string') return;
    const frame = codec.encode([Frame.EVT, evt, { ch, uid }]);
    for (const m of members) if (m.uid !== uid && m.conn) m.conn.sendEncoded(frame);
  }

  countEvent(ch: string, members: ReadonlySet<Session>, body: unknown): void {
    const { count, ts } = (body ?? {}) as { count?: unknown; ts?: unknown };
    if (typeof count !== 'number') return;
    const event: MemberCountEvent = typeof ts === 'number' ? { ch, count, ts } : { ch, count };
    const frame = codec.encode([Frame.EVT, Evt.MEMBER_COUNT, event]);
    for (const m of members) if (m.conn) m.conn.sendEncoded(frame);
  }
}
