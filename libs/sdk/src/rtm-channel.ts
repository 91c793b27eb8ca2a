import { TypedEventEmitter } from './emitter';
import type { Channels } from './features/channels';
import { notYet } from './features/not-implemented';
import type { RtmMetadataItem } from './metadata-item';
import type { RtmChannelEvents } from './rtm-events';
import type { RtmMessage, RtmMetadata, RtmMetadataOptions, SendMessageOptions } from './types';

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

  /** Sends to every member but the sender; `messageOptions` is the agora-rtm-sdk ≤ 1.4.5 form (accepted, ignored). */
  sendMessage(message: RtmMessage, messageOptions?: SendMessageOptions): Promise<void> {
    return this.channels.sendMessage(this, message, messageOptions);
  }

  /** The members' user ids (above 512 members, 512 of them). */
  getMembers(): Promise<string[]> {
    return this.channels.getMembers(this);
  }

  addChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return notYet('RtmChannel.addChannelMetadata', items, options);
  }

  updateChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return notYet('RtmChannel.updateChannelMetadata', items, options);
  }

  deleteChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return notYet('RtmChannel.deleteChannelMetadata', items, options);
  }

  setChannelMetadata(items: RtmMetadataItem[], options?: RtmMetadataOptions): Promise<void> {
    return notYet('RtmChannel.setChannelMetadata', items, options);
  }

  clearChannelMetadata(options?: RtmMetadataOptions): Promise<void> {
    return notYet('RtmChannel.clearChannelMetadata', options);
  }

  getChannelMetadata(): Promise<RtmMetadata> {
    return notYet('RtmChannel.getChannelMetadata');
  }
}
