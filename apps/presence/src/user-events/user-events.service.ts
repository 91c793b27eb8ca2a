import { Inject, Injectable } from '@nestjs/common';
import { requireAppId } from '@parley/contracts';
import { PULL_CONSUMER, takeSize, type EventsTakeRequest, UserEventsTakeReply } from '@parley/contracts/internal';
import { PRESENCE_CONFIG, type PresenceConfig } from '../config/presence.config';
import { UserEventsRepository } from './user-events.repository';

/**
 * Users' Login/Logout events (the event record, kind 'user'): Agora's destructive pull queue (their
 * retention: AppEventsRetention, kind 'user'). The events themselves are written by the
 * statements that register and remove sessions (SessionsRepository).
 */
@Injectable()
export class UserEventsService {
  constructor(
    private readonly repository: UserEventsRepository,
    @Inject(PRESENCE_CONFIG) private readonly config: PresenceConfig,
  ) {}

  /** Patterns.presence.userEventsTake: the app's next events, oldest first; each is returned once. */
  async take(req: EventsTakeRequest): Promise<UserEventsTakeReply> {
    const appId = requireAppId(req?.appId);
    const max = takeSize(req.max, this.config.EVENTS_TAKE_MAX);
    const rows = await this.repository.take(appId, PULL_CONSUMER, this.config.EVENTS_QUEUE_MAX, max);
    return { events: rows.map((r) => ({ user_id: r.uid, type: r.type, ts: r.ts })) };
  }
}
