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
  type ChannelAttrsClearArgs,
  type ChannelAttrsDeleteArgs,
  type ChannelAttrsGetArgs,
  type ChannelAttrsWriteArgs,
  type QuerySubscribedArgs,
  type SubscribeStatusArgs,
  type UnsubscribeStatusArgs,
  type UserAttrsDeleteArgs,
  type UserAttrsGetArgs,
  type UserAttrsWriteArgs,
  type InviteAnswerArgs,
  type InviteArgs,
  type InviteCancelArgs,
  type MediaCancelArgs,
  type MediaInfoArgs,
  type MediaReadArgs,
  type MediaUploadBeginArgs,
  type MediaUploadChunkArgs,
  type MediaUploadEndArgs,
} from '@parley/contracts';
import { MediaService } from '../media/media.service';
import { InvitationsService } from '../invitations/invitations.service';
import { AttributesService } from '../attributes/attributes.service';
import { ChannelMessagesService } from '../channels/channel-messages.service';
import { ChannelsService } from '../channels/channels.service';
import { PeerMessagesService } from '../messages/peer-messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { OnlineStatusService } from '../status/online-status.service';
import { StatusSubscriptionsService } from '../status/status-subscriptions.service';
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
    attributes: AttributesService,
    subscriptions: StatusSubscriptionsService,
    invitations: InvitationsService,
    media: MediaService,
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
    this.route(Op.SET_USER_ATTRS, (conn, args: UserAttrsWriteArgs) => attributes.setUser(conn, args));
    this.route(Op.ADD_USER_ATTRS, (conn, args: UserAttrsWriteArgs) => attributes.addUser(conn, args));
    this.route(Op.DELETE_USER_ATTRS, (conn, args: UserAttrsDeleteArgs) => attributes.deleteUser(conn, args));
    this.route(Op.CLEAR_USER_ATTRS, (conn) => attributes.clearUser(conn));
    this.route(Op.GET_USER_ATTRS, (conn, args: UserAttrsGetArgs) => attributes.getUser(conn, args));
    this.route(Op.SET_CHANNEL_ATTRS, (conn, args: ChannelAttrsWriteArgs) => attributes.setChannel(conn, args));
    this.route(Op.ADD_CHANNEL_ATTRS, (conn, args: ChannelAttrsWriteArgs) => attributes.addChannel(conn, args));
    this.route(Op.DELETE_CHANNEL_ATTRS, (conn, args: ChannelAttrsDeleteArgs) => attributes.deleteChannel(conn, args));
    this.route(Op.CLEAR_CHANNEL_ATTRS, (conn, args: ChannelAttrsClearArgs) => attributes.clearChannel(conn, args));
    this.route(Op.GET_CHANNEL_ATTRS, (conn, args: ChannelAttrsGetArgs) => attributes.getChannel(conn, args));
    this.route(Op.SUBSCRIBE_STATUS, (conn, args: SubscribeStatusArgs) => subscriptions.subscribe(conn, args));
    this.route(Op.UNSUBSCRIBE_STATUS, (conn, args: UnsubscribeStatusArgs) => subscriptions.unsubscribe(conn, args));
    this.route(Op.QUERY_SUBSCRIBED, (conn, args: QuerySubscribedArgs) => subscriptions.subscribed(conn, args));
    this.route(Op.INVITE, (conn, args: InviteArgs) => invitations.invite(conn, args));
    this.route(Op.INVITE_CANCEL, (conn, args: InviteCancelArgs) => invitations.cancel(conn, args));
    this.route(Op.INVITE_ACCEPT, (conn, args: InviteAnswerArgs) => invitations.accept(conn, args));
    this.route(Op.INVITE_REFUSE, (conn, args: InviteAnswerArgs) => invitations.refuse(conn, args));
    this.route(Op.MEDIA_UPLOAD_BEGIN, (conn, args: MediaUploadBeginArgs) => media.begin(conn, args));
    this.route(Op.MEDIA_UPLOAD_CHUNK, (conn, args: MediaUploadChunkArgs) => media.chunk(conn, args));
    this.route(Op.MEDIA_UPLOAD_END, (conn, args: MediaUploadEndArgs) => media.end(conn, args));
    this.route(Op.MEDIA_CANCEL, (conn, args: MediaCancelArgs) => media.cancel(conn, args));
    this.route(Op.MEDIA_INFO, (conn, args: MediaInfoArgs) => media.info(conn, args));
    this.route(Op.MEDIA_READ, (conn, args: MediaReadArgs) => media.read(conn, args));
  }

  route<A>(op: number, handler: (conn: Connection, args: A) => Promise<unknown>): void {
    this.routes.set(op, handler as Handler);
  }

  handler(op: number): Handler | undefined {
    return this.routes.get(op);
  }
}
