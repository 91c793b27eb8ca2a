import { Injectable } from '@nestjs/common';
import {
  Op,
  type GetMembersArgs,
  type JoinArgs,
  type LeaveArgs,
  type LoginArgs,
  type MemberCountArgs,
  type QueryOnlineArgs,
  type RenewTokenArgs,
  type SendChannelArgs,
  type SendPeerArgs,
} from '@parley/contracts';
import { ChannelMessagesService } from '../channels/channel-messages.service';
import { ChannelsService } from '../channels/channels.service';
import { PeerMessagesService } from '../messages/peer-messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { OnlineStatusService } from '../status/online-status.service';
import type { Connection } from './connection';

type Handler = (conn: Connection, args: never) => Promise<unknown>;

/** Request op → one line into the service that owns it. */
@Injectable()
export class WsRouter {
  private readonly routes = new Map<number, Handler>();

  constructor(
    sessions: SessionsService,
    status: OnlineStatusService,
    peers: PeerMessagesService,
    channels: ChannelsService,
    channelMessages: ChannelMessagesService,
  ) {
    this.route(Op.LOGIN, (conn, args: LoginArgs) => sessions.login(conn, args));
    this.route(Op.LOGOUT, (conn) => sessions.logout(conn));
    this.route(Op.RENEW_TOKEN, (conn, args: RenewTokenArgs) => sessions.renewToken(conn, args));
    this.route(Op.QUERY_ONLINE, (conn, args: QueryOnlineArgs) => status.query(conn, args));
    this.route(Op.SEND_PEER, (conn, args: SendPeerArgs) => peers.send(conn, args));
    this.route(Op.JOIN, (conn, args: JoinArgs) => channels.join(conn, args));
    this.route(Op.LEAVE, (conn, args: LeaveArgs) => channels.leave(conn, args));
    this.route(Op.GET_MEMBERS, (conn, args: GetMembersArgs) => channels.members(conn, args));
    this.route(Op.MEMBER_COUNT, (conn, args: MemberCountArgs) => channels.counts(conn, args));
    this.route(Op.SEND_CHANNEL, async (conn, args: SendChannelArgs) => channelMessages.send(conn, args));
  }

  route<A>(op: number, handler: (conn: Connection, args: A) => Promise<unknown>): void {
    this.routes.set(op, handler as Handler);
  }

  handler(op: number): Handler | undefined {
    return this.routes.get(op);
  }
}
