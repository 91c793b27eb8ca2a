import type { ClientCore } from './client-core';
import { TypedEventEmitter } from './emitter';
import { notYet } from './features/not-implemented';
import type { RtmMetadataItem } from './metadata-item';
import type { RtmChannelEvents } from './rtm-events';
import type { RtmMessage, RtmMetadata, RtmMetadataOptions, SendMessageOptions } from './types';

/** A channel of one client, made by `client.createChannel(channelId)` (spec §2.2). */
export class RtmChannel extends TypedEventEmitter<RtmChannelEvents> {
  /** @internal */
  constructor(
    private readonly core: ClientCore,
    readonly channelId: string,
  ) {
    super();
  }

  /** Joins the channel (≤ 20 joined channels per client). */
  join(): Promise<void> {
    return notYet('RtmChannel.join');
  }

  leave(): Promise<void> {
    return notYet('RtmChannel.leave');
  }

  /** Sends to every member but the sender; `messageOptions` is the agora-rtm-sdk ≤ 1.4.5 form. */
  sendMessage(message: RtmMessage, messageOptions?: SendMessageOptions): Promise<void> {
    return notYet('RtmChannel.sendMessage', message, messageOptions);
  }

  getMembers(): Promise<string[]> {
    return notYet('RtmChannel.getMembers');
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
