import { Injectable } from '@nestjs/common';
import type { AppId, ChannelMessageEvent } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';

/** The body of a channel message on NATS (the channel is the subject). */
export type ChannelMessageNats = Omit<ChannelMessageEvent, 'ch'>;

/**
 * Delivery of one channel message, the same for every sender (an SDK member, the server API): one
 * core-NATS publish on the channel's message subject; the recovery stream keeps a copy and every
 * gateway holding members writes it to each local member but the sender.
 */
@Injectable()
export class ChannelMessageDelivery {
  constructor(private readonly bus: NatsBus) {}

  publish(appId: AppId, ch: string, body: ChannelMessageNats): void {
    this.bus.publish(Subjects.channelMessages(appId, ch), [ChanMsgKind.MESSAGE, body]);
  }
}
