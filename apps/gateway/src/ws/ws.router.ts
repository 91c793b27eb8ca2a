import { Injectable } from '@nestjs/common';
import { Op } from '@parley/contracts';
import { parseRequestArgs, type ParsedArgs, type RequestArgs } from '@parley/contracts/schemas';
import { MediaService } from '../media/media.service';
import { MetadataService } from '../metadata/metadata.service';
import { UserMetadataSubscriptionsService } from '../metadata/user-metadata-subscriptions.service';
import { InvitationsService } from '../invitations/invitations.service';
import { AttributesService } from '../attributes/attributes.service';
import { ChannelMessagesService } from '../channels/channel-messages.service';
import { ChannelsService } from '../channels/channels.service';
import { HistoryService } from '../history/history.service';
import { PeerMessagesService } from '../peer-messages/peer-messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { OnlineStatusService } from '../status/online-status.service';
import { StatusSubscriptionsService } from '../status/status-subscriptions.service';
import type { Connection } from '../transport/connection';

type Handler<O extends Op> = (conn: Connection, args: RequestArgs<O>) => unknown;
/** Every op of the protocol has exactly one entry (a missing op is a type error). */
type RoutingTable = { readonly [O in Op]: Handler<O> };

/**
 * Request op → one line into the service that owns it. The table is the whole routing: a reader
 * finds every op here. Arguments reach a handler only after they parsed against the op's schema
 * (libs/contracts/src/schemas): typed, bounded, unknown fields dropped.
 */
@Injectable()
export class WsRouter {
  private readonly table: RoutingTable;

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
    metadata: MetadataService,
    metadataSubscriptions: UserMetadataSubscriptionsService,
    history: HistoryService,
  ) {
    this.table = {
      [Op.LOGIN]: (conn, args) => sessions.login(conn, args),
      [Op.LOGOUT]: (conn) => sessions.logout(conn),
      [Op.RENEW_TOKEN]: (conn, args) => sessions.renewToken(conn, args),
      [Op.QUERY_ONLINE]: (conn, args) => status.query(conn, args),
      [Op.SEND_PEER]: (conn, args) => peers.send(conn, args),
      [Op.JOIN]: (conn, args) => channels.join(conn, args),
      [Op.LEAVE]: (conn, args) => channels.leave(conn, args),
      [Op.SEND_CHANNEL]: (conn, args) => channelMessages.send(conn, args),
      [Op.GET_MEMBERS]: (conn, args) => channels.members(conn, args),
      [Op.MEMBER_COUNT]: (conn, args) => channels.counts(conn, args),
      [Op.SET_USER_ATTRS]: (conn, args) => attributes.setUser(conn, args),
      [Op.ADD_USER_ATTRS]: (conn, args) => attributes.addUser(conn, args),
      [Op.DELETE_USER_ATTRS]: (conn, args) => attributes.deleteUser(conn, args),
      [Op.CLEAR_USER_ATTRS]: (conn) => attributes.clearUser(conn),
      [Op.GET_USER_ATTRS]: (conn, args) => attributes.getUser(conn, args),
      [Op.SET_CHANNEL_ATTRS]: (conn, args) => attributes.setChannel(conn, args),
      [Op.ADD_CHANNEL_ATTRS]: (conn, args) => attributes.addChannel(conn, args),
      [Op.DELETE_CHANNEL_ATTRS]: (conn, args) => attributes.deleteChannel(conn, args),
      [Op.CLEAR_CHANNEL_ATTRS]: (conn, args) => attributes.clearChannel(conn, args),
      [Op.GET_CHANNEL_ATTRS]: (conn, args) => attributes.getChannel(conn, args),
      [Op.SUBSCRIBE_STATUS]: (conn, args) => subscriptions.subscribe(conn, args),
      [Op.UNSUBSCRIBE_STATUS]: (conn, args) => subscriptions.unsubscribe(conn, args),
      [Op.QUERY_SUBSCRIBED]: (conn, args) => subscriptions.subscribed(conn, args),
      [Op.INVITE]: (conn, args) => invitations.invite(conn, args),
      [Op.INVITE_CANCEL]: (conn, args) => invitations.cancel(conn, args),
      [Op.INVITE_ACCEPT]: (conn, args) => invitations.accept(conn, args),
      [Op.INVITE_REFUSE]: (conn, args) => invitations.refuse(conn, args),
      [Op.MEDIA_UPLOAD_BEGIN]: (conn, args) => media.begin(conn, args),
      [Op.MEDIA_UPLOAD_CHUNK]: (conn, args) => media.chunk(conn, args),
      [Op.MEDIA_UPLOAD_END]: (conn, args) => media.end(conn, args),
      [Op.MEDIA_CANCEL]: (conn, args) => media.cancel(conn, args),
      [Op.MEDIA_INFO]: (conn, args) => media.info(conn, args),
      [Op.MEDIA_READ]: (conn, args) => media.read(conn, args),
      [Op.SET_USER_METADATA]: (conn, args) => metadata.setUser(conn, args),
      [Op.ADD_USER_METADATA]: (conn, args) => metadata.addUser(conn, args),
      [Op.UPDATE_USER_METADATA]: (conn, args) => metadata.updateUser(conn, args),
      [Op.DELETE_USER_METADATA]: (conn, args) => metadata.deleteUser(conn, args),
      [Op.CLEAR_USER_METADATA]: (conn, args) => metadata.clearUser(conn, args),
      [Op.GET_USER_METADATA]: (conn, args) => metadata.getUser(conn, args),
      [Op.SUBSCRIBE_USER_METADATA]: (conn, args) => metadataSubscriptions.subscribe(conn, args),
      [Op.UNSUBSCRIBE_USER_METADATA]: (conn, args) => metadataSubscriptions.unsubscribe(conn, args),
      [Op.SET_CHANNEL_METADATA]: (conn, args) => metadata.setChannel(conn, args),
      [Op.ADD_CHANNEL_METADATA]: (conn, args) => metadata.addChannel(conn, args),
      [Op.UPDATE_CHANNEL_METADATA]: (conn, args) => metadata.updateChannel(conn, args),
      [Op.DELETE_CHANNEL_METADATA]: (conn, args) => metadata.deleteChannel(conn, args),
      [Op.CLEAR_CHANNEL_METADATA]: (conn, args) => metadata.clearChannel(conn, args),
      [Op.GET_CHANNEL_METADATA]: (conn, args) => metadata.getChannel(conn, args),
      [Op.GET_CHANNEL_HISTORY]: (conn, args) => history.channel(conn, args),
      [Op.GET_PEER_HISTORY]: (conn, args) => history.peer(conn, args),
    };
  }

  /** True for an op of this protocol version. */
  isOp(op: unknown): op is Op {
    return typeof op === 'number' && Object.prototype.hasOwnProperty.call(this.table, op);
  }

  parse(op: Op, args: unknown): ParsedArgs {
    return parseRequestArgs(op, args);
  }

  /** Runs the op's handler with arguments that parsed against its schema. */
  dispatch(conn: Connection, op: Op, args: unknown): unknown {
    return (this.table[op] as Handler<Op>)(conn, args as never);
  }
}
