/**
 * @parley/rtm-sdk — a drop-in for agora-rtm-sdk 1.6.0 (plus the 1.4.5 media / offline API):
 *
 *   import AgoraRTM from '@parley/rtm-sdk';
 *   AgoraRTM.setServerUrl('wss://rtm.example.com');
 *   const client = AgoraRTM.createInstance(appId);
 *
 * The runtime exports are the AgoraRTM object (CommonJS: `require()` returns it) and
 * END_CALL_PREFIX (also `AgoraRTM.END_CALL_PREFIX`, so CommonJS/IIFE users have it as well);
 * everything else is types, as in agora-rtm-sdk's typings.
 */
import AgoraRTM from './agora-rtm';

export default AgoraRTM;

/** `AgoraRTMLegacyEndcallCompatibleMessagePrefix`: legacy end-call texts are `${END_CALL_PREFIX}_<channelId>_<info>`. */
export { END_CALL_PREFIX } from '@parley/contracts';

export type { LocalInvitation } from './local-invitation';
export type { RemoteInvitation } from './remote-invitation';
export type { RtmChannel } from './rtm-channel';
export type { RtmClient } from './rtm-client';
export type { RtmMetadataItem } from './metadata-item';
export type { RtmEvents } from './rtm-events-namespace';
export type { RtmStatusCode } from './rtm-status-code';
export type { RtmClientEvents, RtmChannelEvents, LocalInvitationEvents, RemoteInvitationEvents } from './rtm-events';
export type {
  AreaConfig,
  AttributesMap,
  ChannelAttributeOptions,
  ChannelAttributeProperties,
  ChannelAttributes,
  ChannelMemberCountResult,
  FileMessageUploadOptions,
  FileMessageUploadParams,
  ImageMessageUploadOptions,
  ImageMessageUploadParams,
  LogFilterType,
  MediaDownloadOptions,
  MediaOperationProgress,
  MediaThumbnail,
  MediaTransferHandler,
  MediaUploadPayload,
  PeerMessageDeliveryState,
  PeerMessageSendResult,
  PeersOnlineStatusMap,
  PeersOnlineStatusResult,
  ReceivedMessageProperties,
  RecoveryIncompleteInfo,
  RtmConfig,
  RtmFileMessage,
  RtmHistoryMessage,
  RtmHistoryOptions,
  RtmHistoryPage,
  RtmImageMessage,
  RtmMessage,
  RtmMetadata,
  RtmMetadataOptions,
  RtmRawMessage,
  RtmTextMessage,
  SendMessageOptions,
} from './types';
export type {
  RtmError,
  RtmInternalError,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  RtmLimitExceededError,
  RtmTimeoutError,
  RtmUnauthenticatedError,
  RtmUnavailableError,
  RtmUnknownError,
} from './errors';
export type { ListenerType, TypedEventEmitter } from './emitter';
export type { WebSocketImplementation, WebSocketLike } from './connection/transport';
