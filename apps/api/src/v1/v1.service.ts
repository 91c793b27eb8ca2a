import { Injectable } from '@nestjs/common';
import { PeerState, type AppId } from '@parley/contracts';
import { ServicesClient } from '../clients/services.client';
import { SharedRateLimits } from '../http/shared-rate-limits';

const STATE_NAME: Record<number, 'ONLINE' | 'UNREACHABLE' | 'OFFLINE'> = {
  [PeerState.ONLINE]: 'ONLINE',
  [PeerState.UNREACHABLE]: 'UNREACHABLE',
  [PeerState.OFFLINE]: 'OFFLINE',
};

/** Parley's own read endpoints: online status, channel members and counts (the services the SDK uses). */
@Injectable()
export class V1Service {
  constructor(
    private readonly services: ServicesClient,
    private readonly limits: SharedRateLimits,
  ) {}

  async statuses(appId: AppId, uids: string[], requestId: string) {
    this.limits.take('query', appId);
    const unique = [...new Set(uids)];
    const { states } = await this.services.statuses({ appId, uids: unique });
    return { statuses: Object.fromEntries(unique.map((uid, i) => [uid, STATE_NAME[states[i]!] ?? 'OFFLINE'])), request_id: requestId };
  }

  async members(appId: AppId, ch: string, page: { limit?: number; after?: string }, requestId: string) {
    this.limits.take('query', appId);
    const { members, next } = await this.services.membersPage({ appId, ch, limit: page.limit ?? 100, after: page.after });
    return { members, next, request_id: requestId };
  }

  async userChannels(appId: AppId, uid: string, requestId: string) {
    this.limits.take('query', appId);
    const { channels } = await this.services.userChannels({ appId, uid });
    return { channels, request_id: requestId };
  }

  async counts(appId: AppId, chs: string[], requestId: string) {
    this.limits.take('query', appId);
    const unique = [...new Set(chs)];
    const counts = await this.services.counts({ appId, chs: unique });
    return { counts: Object.fromEntries(unique.map((ch, i) => [ch, counts[i] ?? 0])), request_id: requestId };
  }
}
