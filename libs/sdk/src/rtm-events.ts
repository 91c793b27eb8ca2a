/**
 * Event maps of agora-rtm-sdk 1.6.0 (spec §4), exported as the `RtmEvents` namespace. The property
 * name is the event name, the function type the listener signature.
 */
import type { ConnectionChangeReason, ConnectionState, LocalInvitationFailureReason, RemoteInvitationFailureReason } from './enums';
import type { RemoteInvitation } from './remote-invitation';
import type { ChannelAttributes, PeersOnlineStatusMap, ReceivedMessageProperties, RecoveryIncompleteInfo, RtmMessage, RtmMetadata } from './types';

export interface RtmClientEvents {
  MessageFromPeer: (message: RtmMessage, peerId: string, messageProps: ReceivedMessageProperties) => void;
  ConnectionStateChanged: (newState: ConnectionState, reason: ConnectionChangeReason) => void;
  RemoteInvitationReceived: (remoteInvitation: RemoteInvitation) => void;
  /** The token expired: on a re-login attempt (still RECONNECTING), by a server notice, or with ABORTED/TOKEN_EXPIRED. */
  TokenExpired: () => void;
  /** The login privilege expires soon (30 s): call renewToken. */
  TokenPrivilegeWillExpire: () => void;
  /** Emitted together with ABORTED/BANNED_BY_SERVER. */
  BannedByServer: () => void;
  PeersOnlineStatusChanged: (status: PeersOnlineStatusMap) => void;
  /** Never emitted by Parley (no cloud proxy); kept for source compatibility. */
  FallbackProxyConnected: () => void;
  ChannelMetaDataUpdated: (data: RtmMetadata) => void;
  UserMetaDataUpdated: (uid: string, data: RtmMetadata) => void;
}

export interface RtmChannelEvents {
  ChannelMessage: (message: RtmMessage, memberId: string, messagePros: ReceivedMessageProperties) => void;
  MemberLeft: (memberId: string) => void;
  MemberJoined: (memberId: string) => void;
  AttributesUpdated: (attributes: ChannelAttributes) => void;
  MemberCountUpdated: (memberCount: number) => void;
  /**
   * Parley: channel messages may have been missed and could not be recovered — after a reconnect
   * (the rejoin's recovery was incomplete) or while the server was cut off from its message bus.
   */
  RecoveryIncomplete: (info: RecoveryIncompleteInfo) => void;
  /** Agora's 1.6.0 metadata docs listen for this on the channel; Parley emits it there too. */
  ChannelMetaDataUpdated: (data: RtmMetadata) => void;
}

export interface LocalInvitationEvents {
  LocalInvitationAccepted: (response: string) => void;
  LocalInvitationRefused: (response: string) => void;
  LocalInvitationReceivedByPeer: () => void;
  LocalInvitationCanceled: () => void;
  LocalInvitationFailure: (reason: LocalInvitationFailureReason) => void;
}

export interface RemoteInvitationEvents {
  RemoteInvitationCanceled: (content: string) => void;
  RemoteInvitationRefused: () => void;
  RemoteInvitationAccepted: () => void;
  RemoteInvitationFailure: (reason: RemoteInvitationFailureReason) => void;
}
