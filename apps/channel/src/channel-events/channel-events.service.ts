import { Inject, Injectable } from '@nestjs/common';
import { requireAppId } from '@parley/contracts';
import { PULL_CONSUMER, takeSize, type ChannelEventsTakeReply, type EventsTakeRequest } from '@parley/contracts/internal';
import { CHANNEL_CONFIG, type ChannelConfig } from '../config/channel.config';
import { ChannelEventsRepository } from './channel-events.repository';

/**
 * Channel Join/Leave events (the event record, kind 'channel'): Agora's destructive pull queue (their
 * retention: AppEventsRetention, kind 'channel'). The events themselves are written by the
 * statements that add and remove members (MembersRepository).
 */
@Injectable()
export class ChannelEventsService {
  constructor(
    private readonly repository: ChannelEventsRepository,
    @Inject(CHANNEL_CONFIG) private readonly config: ChannelConfig,
  ) {}

  /** Patterns.channel.eventsTake: the app's next events, oldest first; each is returned once. */
  async take(req: EventsTakeRequest): Promise<ChannelEventsTakeReply> {
    const appId = requireAppId(req?.appId);
    const max = takeSize(req.max, this.config.EVENTS_TAKE_MAX);
    const rows = await this.repository.take(appId, PULL_CONSUMER, this.config.EVENTS_QUEUE_MAX, max);
    return { events: rows.map((r) => ({ channel_id: r.channelId, user_id: r.uid, type: r.type, ts: r.ts })) };
  }
}
