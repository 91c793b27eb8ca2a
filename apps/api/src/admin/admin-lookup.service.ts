import { Injectable } from '@nestjs/common';
import { PeerState, type AppId } from '@parley/contracts';
import { gatewayIdOf } from '@parley/contracts/internal';
import { ServicesClient } from '../clients/services.client';
import { notFound } from '../http/api-error';
import { AdminAppsRepository } from './admin-apps.repository';
import { LOOKUP_LIST_MAX, type AdminChannelView, type AdminUserView } from './admin-console.schemas';

const STATUS = {
  [PeerState.ONLINE]: 'ONLINE',
  [PeerState.UNREACHABLE]: 'UNREACHABLE',
  [PeerState.OFFLINE]: 'OFFLINE',
} as const;

/**
 * One user or one channel as the operator sees it, from the services' own requests (the ones the /v1
 * endpoints and the SDK use): status and session (presence), channels and members (channel
 * service), attributes and metadata (attributes service), asked at once.
 */
@Injectable()
export class AdminLookupService {
  constructor(
    private readonly services: ServicesClient,
    private readonly apps: AdminAppsRepository,
  ) {}

  async user(appId: AppId, uid: string): Promise<AdminUserView> {
    await this.requireApp(appId);
    const [registry, { channels }, attributes, metadata] = await Promise.all([
      this.services.userSessions({ appId, uid }),
      this.services.userChannels({ appId, uid }),
      this.services.userAttributes({ appId, uid }),
      this.services.userMetadata({ appId, uid }),
    ]);
    return {
      appId,
      uid,
      status: STATUS[registry.state] ?? 'OFFLINE',
      sessions: registry.sessions
        .filter((s) => s.state !== PeerState.OFFLINE)
        .map((s) => ({
          gatewayId: gatewayIdOf(s.gatewayId),
          since: new Date(s.loggedInAt).toISOString(),
          status: s.state === PeerState.ONLINE ? ('ONLINE' as const) : ('UNREACHABLE' as const),
        })),
      channels: channels.slice(0, LOOKUP_LIST_MAX),
      attributes,
      metadata: { majorRevision: metadata.majorRevision, items: metadata.items },
    };
  }

  async channel(appId: AppId, ch: string): Promise<AdminChannelView> {
    await this.requireApp(appId);
    const [counts, { members }, attributes, metadata] = await Promise.all([
      this.services.counts({ appId, chs: [ch] }),
      this.services.membersPage({ appId, ch, limit: LOOKUP_LIST_MAX }),
      this.services.channelAttributes({ appId, ch }),
      this.services.channelMetadata({ appId, ch }),
    ]);
    return {
      appId,
      channel: ch,
      // The count and the page are two reads: never report fewer members than were listed.
      memberCount: Math.max(counts[0] ?? 0, members.length),
      members,
      attributes,
      metadata: { majorRevision: metadata.majorRevision, items: metadata.items },
    };
  }

  private async requireApp(appId: AppId): Promise<void> {
    if (!(await this.apps.find(appId))) throw notFound(`unknown app ${appId}`);
  }
}
