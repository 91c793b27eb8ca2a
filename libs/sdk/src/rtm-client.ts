import { ClientCore } from './client-core';
import { TypedEventEmitter } from './emitter';
import type { PeerSubscriptionOption } from './enums';
import { RtmInvalidArgumentError } from './errors';
import { ChannelAttributesApi } from './features/channel-attributes';
import { Channels } from './features/channels';
import type { HistoryApi } from './features/history';
import { Invitations } from './features/invitations';
import { Media } from './features/media';
import { withMessageType } from './features/message-codec';
import { PeerMessages } from './features/peer-messages';
import { SessionApi } from './features/session-api';
import { StatusSubscriptions } from './features/status-subscriptions';
import { UserAttributesApi } from './features/user-attributes';
import { UserMetadataApi } from './features/user-metadata';
import type { LocalInvitation } from './local-invitation';
import { RtmMetadataItem } from './metadata-item';
import { currentTimers } from './parameters';
import type { RtmChannel } from './rtm-channel';
import type { RtmClientEvents } from './rtm-events';
import type {
  AttributesMap,
  ChannelAttributeOptions,
  ChannelAttributes,
  ChannelMemberCountResult,
  FileMessageUploadOptions,
  FileMessageUploadParams,
  ImageMessageUploadOptions,
  ImageMessageUploadParams,
  MediaDownloadOptions,
  MediaTransferHandler,
  MediaUploadPayload,
  PeerMessageSendResult,
  PeersOnlineStatusResult,
  RtmConfig,
  RtmFileMessage,
  RtmHistoryOptions,
  RtmHistoryPage,
  RtmImageMessage,
  RtmMessage,
  RtmMetadata,
  RtmMetadataOptions,
  SendMessageOptions,
} from './types';
import { validateConfig } from './validate';

/** 128 random bits, hex. */
function randomInstanceId(): string {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The RTM client of agora-rtm-sdk 1.6.0 (spec §2.1), made by `AgoraRTM.createInstance()`.
 * Each feature lives in src/features/*; this class only routes the public API to them.
 */
export class RtmClient extends TypedEventEmitter<RtmClientEvents> {
  /** Parley: random id of this instance; a re-login with it resumes the session (no REMOTE_LOGIN). */
  readonly instanceId: string = randomInstanceId();
  private readonly core: ClientCore;
  private readonly sessionApi: SessionApi;
  private readonly peerMessages: PeerMessages;
  private readonly channels: Channels;
  private readonly userAttributes: UserAttributesApi;
  private readonly channelAttributes: ChannelAttributesApi;
  private readonly subscriptions: StatusSubscriptions;
  private readonly invitations: Invitations;
  private readonly media: Media;
  private readonly userMetadata: UserMetadataApi;
  private readonly history: HistoryApi;

  /** @internal Use AgoraRTM.createInstance(). */
  constructor(appId: string, config: RtmConfig = {}) {
    super();
    this.core = new ClientCore(appId, this.instanceId, config, currentTimers(), this);
    this.sessionApi = new SessionApi(this.core);
    this.peerMessages = new PeerMessages(this.core);
    this.channels = new Channels(this.core);
    this.userAttributes = new UserAttributesApi(this.core);
    this.channelAttributes = new ChannelAttributesApi(this.core, this.channels);
    this.subscriptions = new StatusSubscriptions(this.core);
    this.invitations = new Invitations(this.core);
    this.media = new Media(this.core);
    this.userMetadata = new UserMetadataApi(this.core);
    this.history = this.channels.history;
  }

  // --- session (src/features/session-api.ts) ---

  /** Logs in; resolves when CONNECTED. */
  login(options: { uid: string; token?: string }): Promise<void> {
    return this.sessionApi.login(options);
  }

  logout(): Promise<void> {
    return this.sessionApi.logout();
  }

  renewToken(token: string): Promise<void> {
    return this.sessionApi.renewToken(token);
  }

  queryPeersOnlineStatus(peerIds: string[]): Promise<PeersOnlineStatusResult> {
    return this.sessionApi.queryPeersOnlineStatus(peerIds);
  }

  /** Changes the configuration; takes effect at once (serverUrl: at the next login). */
  updateConfig(config: RtmConfig): void {
    const checked = validateConfig(config);
    this.core.config = { ...this.core.config, ...checked };
    if (checked.logFilter) this.core.log.setFilter(checked.logFilter);
  }

  /** @deprecated since agora-rtm-sdk 1.4.2: use updateConfig. Also accepts a JSON string. */
  setParameters(config: RtmConfig | string): void {
    let parsed: unknown = config;
    if (typeof config === 'string') {
      try {
        parsed = JSON.parse(config);
      } catch {
        throw new RtmInvalidArgumentError('Invalid RTM config: not valid JSON.');
      }
    }
    this.updateConfig(parsed as RtmConfig);
  }

  /** Returns the message itself (messageType filled in for text and raw messages). */
  createMessage<T extends RtmMessage>(message: Partial<T>): T {
    return withMessageType(message);
  }

  /** A channel object (src/features/channels.ts), before or after login; join it to use it. */
  createChannel(channelId: string): RtmChannel {
    return this.channels.create(channelId);
  }

  /** A call invitation (src/features/invitations.ts); send() it when logged in. Callees get RemoteInvitationReceived. */
  createLocalInvitation(calleeId: string): LocalInvitation {
    return this.invitations.createLocal(calleeId);
  }

  createMetadataItem(): RtmMetadataItem {
    return new RtmMetadataItem();
  }

  // --- peer messages (src/features/peer-messages.ts) ---

  /**
   * Sends a text or raw message to one user. Resolves `{hasPeerReceived, deliveryState}`
   * (deliveryState is a Parley addition); `options` is the agora-rtm-sdk ≤ 1.4.5 form
   * (`enableOfflineMessaging`; `enableHistoricalMessaging` keeps it in the conversation's history).
   */
  sendMessageToPeer(message: RtmMessage, peerId: string, options?: SendMessageOptions): Promise<PeerMessageSendResult> {
    return this.peerMessages.send(message, peerId, options);
  }

  // --- message history (src/features/history.ts; a channel's is on RtmChannel) ---

  /**
   * Parley, an addition beyond agora-rtm-sdk 1.x: a page of the stored messages between the local
   * user and `peerId`, both directions (those sent with `enableHistoricalMessaging`), newest first,
   * as the message objects MessageFromPeer gives, each with its `senderId` (`peerId` or the local
   * user) and `serverReceivedTs`. Older pages: `getPeerHistory(peerId, { before: page.nextBefore })`
   * while `page.hasMore`.
   *
   * Errors (`HISTORY_OPERATION` codes): an invalid peerId, or options not `{before?: integer ≥ 0,
   * limit?: 1–100}` → RtmInvalidArgumentError 2; not logged in → RtmInvalidStatusError 102; rate
   * limit → RtmInvokeTooOftenError 4; timeout → RtmTimeoutError 3; history unavailable →
   * RtmUnavailableError 1.
   */
  getPeerHistory(peerId: string, options?: RtmHistoryOptions): Promise<RtmHistoryPage> {
    return this.history.peer(peerId, options);
  }

  // --- user attributes (src/features/user-attributes.ts) ---

  /** Replaces all of this user's attributes. */
  setLocalUserAttributes(attributes: AttributesMap): Promise<void> {
    return this.userAttributes.set(attributes);
  }
  addOrUpdateLocalUserAttributes(attributes: AttributesMap): Promise<void> {
    return this.userAttributes.addOrUpdate(attributes);
  }
  deleteLocalUserAttributesByKeys(attributeKeys: string[]): Promise<void> {
    return this.userAttributes.deleteByKeys(attributeKeys);
  }
  clearLocalUserAttributes(): Promise<void> {
    return this.userAttributes.clear();
  }
  /** Any user's attributes (no shared channel needed). */
  getUserAttributes(userId: string): Promise<AttributesMap> {
    return this.userAttributes.get(userId);
  }
  getUserAttributesByKeys(userId: string, attributeKeys: string[]): Promise<AttributesMap> {
    return this.userAttributes.getByKeys(userId, attributeKeys);
  }

  // --- channels without joining (src/features/channels.ts, src/features/channel-attributes.ts) ---

  /** Member counts of up to 32 channels. */
  getChannelMemberCount(channelIds: string[]): Promise<ChannelMemberCountResult> {
    return this.channels.memberCount(channelIds);
  }
  getChannelAttributes(channelId: string): Promise<ChannelAttributes> {
    return this.channelAttributes.get(channelId);
  }
  getChannelAttributesByKeys(channelId: string, keys: string[]): Promise<ChannelAttributes> {
    return this.channelAttributes.getByKeys(channelId, keys);
  }
  clearChannelAttributes(channelId: string, options?: ChannelAttributeOptions): Promise<void> {
    return this.channelAttributes.clear(channelId, options);
  }
  deleteChannelAttributesByKeys(channelId: string, attributeKeys: string[], options?: ChannelAttributeOptions): Promise<void> {
    return this.channelAttributes.deleteByKeys(channelId, attributeKeys, options);
  }
  addOrUpdateChannelAttributes(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void> {
    return this.channelAttributes.addOrUpdate(channelId, attributes, options);
  }
  /** Replaces all of the channel's attributes; members get AttributesUpdated when `enableNotificationToChannelMembers`. */
  setChannelAttributes(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void> {
    return this.channelAttributes.set(channelId, attributes, options);
  }

  // --- online status subscriptions (src/features/status-subscriptions.ts) ---

  /** ≤ 512 peers in all; PeersOnlineStatusChanged gives the new peers' states, then their changes. */
  subscribePeersOnlineStatus(peerIds: string[]): Promise<void> {
    return this.subscriptions.subscribe(peerIds);
  }
  unsubscribePeersOnlineStatus(peerIds: string[]): Promise<void> {
    return this.subscriptions.unsubscribe(peerIds);
  }
  queryPeersBySubscriptionOption(option: PeerSubscriptionOption): Promise<string[]> {
    return this.subscriptions.query(option);
  }

  // --- files and images (src/features/media.ts): agora-rtm-sdk 1.4.5 API, then the native 1.3 names ---

  /**
   * Uploads a file (≤ 30 MB; a Blob, bytes, or in Node a file path or stream) and resolves a file
   * or image message to send with sendMessageToPeer / RtmChannel.sendMessage. The media is kept 7 days.
   */
  createMediaMessageByUploading(payload: MediaUploadPayload, params?: FileMessageUploadParams, transHandler?: MediaTransferHandler): Promise<RtmFileMessage>;
  createMediaMessageByUploading(payload: MediaUploadPayload, params?: ImageMessageUploadParams, transHandler?: MediaTransferHandler): Promise<RtmImageMessage>;
  createMediaMessageByUploading(
    payload: MediaUploadPayload,
    params?: FileMessageUploadParams | ImageMessageUploadParams,
    transHandler?: MediaTransferHandler,
  ): Promise<RtmFileMessage | RtmImageMessage> {
    return this.media.createMediaMessageByUploading(payload, params, transHandler);
  }
  /** The media's bytes as a Blob. */
  downloadMedia(mediaId: string, transHandler?: MediaTransferHandler): Promise<Blob> {
    return this.media.downloadBlob(mediaId, transHandler);
  }
  createFileMessageByUploading(payload: MediaUploadPayload, options?: FileMessageUploadOptions): Promise<RtmFileMessage> {
    return this.media.createFileMessageByUploading(payload, options);
  }
  createImageMessageByUploading(payload: MediaUploadPayload, options?: ImageMessageUploadOptions): Promise<RtmImageMessage> {
    return this.media.createImageMessageByUploading(payload, options);
  }
  /** Cancels the upload started with this `requestId` (it rejects with code 6); false when there is none in flight. */
  cancelMediaUpload(requestId: string): boolean {
    return this.media.cancelUpload(requestId);
  }
  cancelMediaDownload(requestId: string): boolean {
    return this.media.cancelDownload(requestId);
  }
  /** A file message of existing media (unknown or expired: RtmInvalidArgumentError code 7). */
  createFileMessageByMediaId(mediaId: string): Promise<RtmFileMessage> {
    return this.media.messageByMediaId(mediaId, 'FILE') as Promise<RtmFileMessage>;
  }
  createImageMessageByMediaId(mediaId: string): Promise<RtmImageMessage> {
    return this.media.messageByMediaId(mediaId, 'IMAGE') as Promise<RtmImageMessage>;
  }
  downloadMediaToMemory(mediaId: string, options?: MediaDownloadOptions): Promise<Uint8Array> {
    return this.media.downloadToMemory(mediaId, options);
  }
  /** Node: streams the media into `filePath`; a failed or canceled download removes the file. */
  downloadMediaToFile(mediaId: string, filePath: string, options?: MediaDownloadOptions): Promise<void> {
    return this.media.downloadToFile(mediaId, filePath, options);
  }

  // --- user metadata (src/features/user-metadata.ts; channel metadata is on RtmChannel) ---

  /** Any user's metadata ({items: [], majorRevision: 0} when never written). */
  getUserMetadata(uid: string): Promise<RtmMetadata> {
    return this.userMetadata.get(uid);
  }
  /** Replaces all of the local user's metadata with `items`. */
  setLocalUserMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.userMetadata.write('set', 'setLocalUserMetadata', items, options);
  }
  clearLocalUserMetadata(options?: RtmMetadataOptions): Promise<void> {
    return this.userMetadata.clear(options);
  }
  /** Adds keys that do not exist yet (an existing key: DUPLICATE_KEY). */
  addLocalUserMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.userMetadata.write('add', 'addLocalUserMetadata', items, options);
  }
  /** Changes keys that exist (a missing key: INVALID_ARGUMENT). */
  updateLocalUserMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.userMetadata.write('update', 'updateLocalUserMetadata', items, options);
  }
  /** Removes the items' keys (values are ignored; revisions are checked). */
  deleteLocalUserMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.userMetadata.write('delete', 'deleteLocalUserMetadata', items, options);
  }
  /** UserMetaDataUpdated(uid, metadata) with the user's current metadata, then after every change (≤ 100 users). */
  subscribeUserMetadata(uid: string): Promise<void> {
    return this.userMetadata.subscribe(uid);
  }
  unsubscribeUserMetadata(uid: string): Promise<void> {
    return this.userMetadata.unsubscribe(uid);
  }
}
