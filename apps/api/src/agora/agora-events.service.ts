import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { ServicesClient } from '../clients/services.client';
import { SharedRateLimits } from '../http/shared-rate-limits';

/** Agora's pull queues: each take removes what it returns (the services' event record keeps the cursor). */
const TAKE_MAX = 1000;

@Injectable()
export class AgoraEventsService {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async userEvents(appId: AppId, requestId: string) {
    this.limits.take('events', appId);
    const { events } = await this.services.takeUserEvents(appId, TAKE_MAX);
    return { result: 'success' as const, request_id: requestId, events };
  }

  async channelEvents(appId: AppId, requestId: string) {
    this.limits.take('events', appId);
    const { events } = await this.services.takeChannelEvents(appId, TAKE_MAX);
    return { result: 'success' as const, request_id: requestId, events };
  }
}
