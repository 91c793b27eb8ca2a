import { Injectable, OnModuleInit } from '@nestjs/common';
import { Evt } from '@parley/contracts';
import { ChanMsgKind, UserMsgKind } from '@parley/contracts/internal';
import { AttributesService } from '../attributes/attributes.service';
import { ChannelMessagesService } from '../channels/channel-messages.service';
import { ChannelSubscriptions } from '../channels/channel-subscriptions';
import { ChannelsService } from '../channels/channels.service';
import { InvitationsService } from '../invitations/invitations.service';
import { MediaService } from '../media/media.service';
import { MetadataService } from '../metadata/metadata.service';
import { UserMetadataSubscriptionsService } from '../metadata/user-metadata-subscriptions.service';
import { PeerMessagesService } from '../peer-messages/peer-messages.service';
import { SessionsService } from '../sessions/sessions.service';
import { PeerRoute } from '../sessions/peer-route';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import { StatusSubscriptionsService } from '../status/status-subscriptions.service';

/**
 * Everything that reaches this gateway other than a client request, and who handles it — the
 * counterpart of WsRouter (client ops): messages on user subjects, messages on channel subjects,
 * and the session lifecycle (a login, an end). Features only expose handlers; this table is the
 * one place that connects them, so a reader follows every inbound path from here.
 */
@Injectable()
export class InboundRouter implements OnModuleInit {
  constructor(
    private readonly users: UserSubscriptions,
    private readonly channelSubjects: ChannelSubscriptions,
    private readonly sessions: SessionsService,
    private readonly peers: PeerMessagesService,
    private readonly invitations: InvitationsService,
    private readonly channels: ChannelsService,
    private readonly channelMessages: ChannelMessagesService,
    private readonly attributes: AttributesService,
    private readonly media: MediaService,
    private readonly status: StatusSubscriptionsService,
    private readonly metadata: MetadataService,
    private readonly metadataSubscriptions: UserMetadataSubscriptionsService,
    private readonly peerRoute: PeerRoute,
  ) {}

  onModuleInit(): void {
    this.users.route({
      [UserMsgKind.KICK]: (targets, body) => this.sessions.kicked(targets, body),
      [UserMsgKind.PEER_MESSAGE]: (targets, body, msg) => this.peers.receive(targets, body, msg),
      [UserMsgKind.INVITATION]: (targets, body) => this.invitations.changed(targets, body),
      [UserMsgKind.OFFLINE_STORED]: (targets) => this.peers.stored(targets),
      [UserMsgKind.BANNED]: (targets, body) => this.sessions.banned(targets, body),
      [UserMsgKind.CHANNEL_BANNED]: (targets, body) => this.channels.banned(targets, body),
    });
    this.peerRoute.route((appId, uid, event, answer) => this.peers.receiveRouted(this.users.sessionsOf(appId, uid), event, answer));
    this.channelSubjects.route({
      [ChanMsgKind.MESSAGE]: (ch, members, body) => this.channelMessages.fanOut(ch, members, body),
      [ChanMsgKind.MEMBER_JOINED]: (ch, members, body) => this.channels.memberEvent(Evt.MEMBER_JOINED, ch, members, body),
      [ChanMsgKind.MEMBER_LEFT]: (ch, members, body) => this.channels.memberEvent(Evt.MEMBER_LEFT, ch, members, body),
      [ChanMsgKind.MEMBER_COUNT]: (ch, members, body) => this.channels.countEvent(ch, members, body),
      [ChanMsgKind.ATTRIBUTES]: (_ch, members, body) => this.attributes.channelAttributesChanged(members, body),
      [ChanMsgKind.METADATA]: (_ch, members, body) => this.metadata.channelMetadataChanged(members, body),
    });
    // After the LOGIN answer is queued: stored peer messages, then open invitations, follow it (each
    // asked for only when the login can have some).
    this.sessions.onLogin((session, facts) => {
      this.peers.flushAtLogin(session, facts.offlineStored);
      this.invitations.syncAtLogin(session, facts);
    });
    this.sessions.onEnded((session, why) => {
      this.channels.sessionEnded(session, why);
      this.attributes.sessionEnded(session, why);
      this.media.abortAll(session);
      this.status.releaseAll(session);
      this.metadataSubscriptions.releaseAll(session);
    });
  }
}
