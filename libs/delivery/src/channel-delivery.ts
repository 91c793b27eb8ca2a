import { Injectable } from '@nestjs/common';
import type { AppId, ChannelMessageEvent } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { HistoryCapture } from './history-capture';
import { MessageCapture } from './message-capture';

/** The body of a channel message on NATS (the channel is the subject). */
export type ChannelMessageNats = Omit<ChannelMessageEvent, 'ch'>;

/**
 * Delivery of one channel message, the same for every sender (an SDK member, the server API): one
 * core-NATS publish on the channel's message subject; the recovery stream keeps a copy and every
 * gateway holding members writes it to each local member but the sender.
 */
@Injectable()
export class ChannelMessageDelivery {
  constructor(
    private readonly bus: NatsBus,
    private readonly capture: MessageCapture,
    private readonly history: HistoryCapture,
  ) {}

  /**
   * Publishes to the members. `history`: the sender asked for it (enableHistoricalMessaging). When
   * the message is to be stored, returns the promise of its durable capture (answer the sender once
   * it resolves; it rejects UNAVAILABLE); else undefined (nothing to wait for).
   */
  publish(appId: AppId, ch: string, body: ChannelMessageNats, history?: boolean): Promise<void> | undefined {
    const stored = this.history.wants(appId, history) ? this.history.channel(appId, ch, body.from, body.id, body.ts, body.m) : undefined;
    this.bus.publish(Subjects.channelMessages(appId, ch), [ChanMsgKind.MESSAGE, body]);
    this.capture.channel(appId, ch, body.from, body.id, body.ts, body.m);
    return stored;
  }
}
