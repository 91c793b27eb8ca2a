import { TypedEventEmitter } from './emitter';
import type { Channels } from './features/channels';
import type { RtmMetadataItem } from './metadata-item';
import type { RtmChannelEvents } from './rtm-events';
import type { RtmHistoryOptions, RtmHistoryPage, RtmMessage, RtmMetadata, RtmMetadataOptions, SendMessageOptions } from './types';

/**
 * A channel of one client, made by `client.createChannel(channelId)` (spec §2.2). The behaviour
 * lives in src/features/channels.ts.
 */
export class RtmChannel extends TypedEventEmitter<RtmChannelEvents> {
  /** @internal Use client.createChannel(). */
  constructor(
    private readonly channels: Channels,
    readonly channelId: string,
  ) {
    super();
  }

  /** Joins the channel (≤ 20 joined channels per client); MemberCountUpdated follows. */
  join(): Promise<void> {
    return this.channels.join(this);
  }

  /** Leaves the channel: from the call on, the channel emits no more events. */
  leave(): Promise<void> {
    return this.channels.leave(this);
  }

  /**
   * Sends to every member but the sender. `messageOptions` is the agora-rtm-sdk ≤ 1.4.5 form:
   * `enableHistoricalMessaging` keeps the message in the channel's history (see getHistory).
   */
  sendMessage(message: RtmMessage, messageOptions?: SendMessageOptions): Promise<void> {
    return this.channels.sendMessage(this, message, messageOptions);
  }

  /** The members' user ids (above 512 members, 512 of them). */
  getMembers(): Promise<string[]> {
    return this.channels.getMembers(this);
  }

  /**
   * Parley, an addition beyond agora-rtm-sdk 1.x: a page of this channel's stored messages (those
   * sent with `enableHistoricalMessaging`, own ones included), newest first, as the message objects
   * ChannelMessage gives, each with its `senderId` and `serverReceivedTs`. Joined channels only.
   * Older pages: `getHistory({ before: page.nextBefore })` while `page.hasMore`.
   *
   * Errors (`HISTORY_OPERATION` codes): options not `{before?: integer ≥ 0, limit?: 1–100}` →
   * RtmInvalidArgumentError 2; not logged in → RtmInvalidStatusError 102; not joined →
   * RtmInvalidStatusError 5; rate limit → RtmInvokeTooOftenError 4; timeout → RtmTimeoutError 3;
   * history unavailable → RtmUnavailableError 1.
   */
  getHistory(options?: RtmHistoryOptions): Promise<RtmHistoryPage> {
    return this.channels.history.channel(this, options);
  }

  // --- metadata (src/features/channel-metadata.ts): on a joined channel; members get ChannelMetaDataUpdated ---

  /** Adds keys that do not exist yet (an existing key: DUPLICATE_KEY). */
  addChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.channels.metadata.write(this, 'add', items, options);
  }

  /** Changes keys that exist (a missing key: INVALID_ARGUMENT). */
  updateChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.channels.metadata.write(this, 'update', items, options);
  }

  /** Removes the items' keys (values are ignored; revisions are checked). */
  deleteChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.channels.metadata.write(this, 'delete', items, options);
  }

  /** Replaces the channel's whole metadata with `items`. */
  setChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return this.channels.metadata.write(this, 'set', items, options);
  }

  clearChannelMetadata(options?: RtmMetadataOptions): Promise<void> {
    return this.channels.metadata.clear(this, options);
  }

  getChannelMetadata(): Promise<RtmMetadata> {
    return this.channels.metadata.get(this);
  }
}
