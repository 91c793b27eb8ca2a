import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  HISTORY_LIMITS,
  isChannelId,
  isUid,
  ParleyError,
  type ChannelHistoryArgs,
  type HistoryItem,
  type HistoryPage,
  type PeerHistoryArgs,
} from '@parley/contracts';
import type { HistoryPageReply, HistoryPageRequest, HistoryRecord } from '@parley/contracts/internal';
import { HistoryClient } from '../clients/history.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';

/** The page bounds the client gave (the history service reads "absent" as now / the app's retention). */
function bounds(args: { before?: number; limit?: number }): Pick<HistoryPageRequest, 'before' | 'limit'> {
  const out: Pick<HistoryPageRequest, 'before' | 'limit'> = { limit: args.limit ?? HISTORY_LIMITS.PAGE_DEFAULT };
  if (args.before !== undefined) out.before = args.before;
  return out;
}

/** A stored channel message as its members get it back: no kind, no destination (the channel asked for). */
function channelItem(r: HistoryRecord): HistoryItem {
  return { from: r.from, id: r.id, ts: r.ts, m: r.m };
}

/** A stored peer message as a party gets it back: who sent it to whom. */
function peerItem(r: HistoryRecord): HistoryItem {
  return { from: r.from, to: r.to, id: r.id, ts: r.ts, m: r.m };
}

function page(reply: HistoryPageReply, item: (r: HistoryRecord) => HistoryItem): HistoryPage {
  return { msgs: reply.msgs.map(item), more: reply.more === true };
}

/**
 * Message history for clients (a Parley addition beyond agora-rtm-sdk 1.x): who may read what — the
 * members of a channel its messages, the two parties of a conversation theirs — and the per-session
 * rate here; storage and paging in the history service (apps/history).
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly history: HistoryClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Op.GET_CHANNEL_HISTORY: a joined channel's messages older than `before`, newest first. */
  async channel(conn: Connection, args: ChannelHistoryArgs): Promise<HistoryPage> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.has(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    this.takeRead(session);
    const reply = await this.history.page({ appId: session.appId, kind: 'channel', a: ch, ...bounds(args) });
    return page(reply, channelItem);
  }

  /** Op.GET_PEER_HISTORY: the conversation between the session's user and `peer`, both directions, newest first. */
  async peer(conn: Connection, args: PeerHistoryArgs): Promise<HistoryPage> {
    const session = this.sessions.requireSession(conn);
    const peer = args?.peer;
    if (!isUid(peer)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid peer id');
    this.takeRead(session);
    const reply = await this.history.page({ appId: session.appId, kind: 'peer', a: session.uid, b: peer, ...bounds(args) });
    return page(reply, peerItem);
  }

  /** Channel and peer history pages share one budget per session. */
  private takeRead(session: Session): void {
    enforceRate(session, 'history-read', this.config.HISTORY_READ_RATE);
  }
}
