import { Inject, Injectable } from '@nestjs/common';
import {
  requireAppId,
  requireChannelId,
  requireUid,
  type AppId,
  type ChannelId,
  type ChannelMetadataEvent,
  type MetadataData,
  type MetadataWriteResult,
  type Uid,
  type UserMetadataEvent,
} from '@parley/contracts';
import {
  ChanMsgKind,
  MetadataSubjects,
  Subjects,
  type ChannelMetadataGetRequest,
  type ChannelMetadataWriteRequest,
  type UserMetadataGetRequest,
  type UserMetadataWriteRequest,
} from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { ATTRIBUTES_CONFIG, type AttributesConfig } from '../config/attributes.config';
import { channelMetadataLimits, parseChange, planWrite, userMetadataLimits, type MetadataLimits } from './metadata-rules';
import { channelTarget, MetadataRepository, userTarget, type AfterWrite } from './metadata.repository';

/**
 * User and channel metadata: every write is checked, decided and written in one transaction on the
 * set's locked row, and its resulting set is published (to the user's subscribers, or to the
 * channel's members) while the lock is still held and before the commit — so events leave in
 * revision order and the next writer's cannot overtake them. Who may write is decided by the caller
 * (the gateway: a session writes its own user's set and the channels it joined; the server API).
 */
@Injectable()
export class MetadataService {
  private readonly userLimits: MetadataLimits;
  private readonly channelLimits: MetadataLimits;

  constructor(
    private readonly repository: MetadataRepository,
    private readonly bus: NatsBus,
    @Inject(ATTRIBUTES_CONFIG) config: AttributesConfig,
  ) {
    this.userLimits = userMetadataLimits(config);
    this.channelLimits = channelMetadataLimits(config);
  }

  async writeUser(req: UserMetadataWriteRequest): Promise<MetadataWriteResult> {
    const appId = requireAppId(req?.appId);
    const uid = requireUid(req.uid);
    const change = parseChange(req, requireUid(req.author), this.userLimits);
    const after = await this.repository.write(
      appId,
      userTarget(uid),
      change,
      (current) => planWrite(current, change, this.userLimits),
      this.toSubscribers(appId, uid),
    );
    return { majorRevision: after.majorRevision };
  }

  async writeChannel(req: ChannelMetadataWriteRequest): Promise<MetadataWriteResult> {
    const appId = requireAppId(req?.appId);
    const ch = requireChannelId(req.ch);
    const change = parseChange(req, requireUid(req.author), this.channelLimits);
    const after = await this.repository.write(
      appId,
      channelTarget(ch),
      change,
      (current) => planWrite(current, change, this.channelLimits),
      this.toMembers(appId, ch),
    );
    return { majorRevision: after.majorRevision };
  }

  async getUser(req: UserMetadataGetRequest): Promise<MetadataData> {
    return this.repository.get(requireAppId(req?.appId), userTarget(requireUid(req.uid)));
  }

  async getChannel(req: ChannelMetadataGetRequest): Promise<MetadataData> {
    return this.repository.get(requireAppId(req?.appId), channelTarget(requireChannelId(req.ch)));
  }

  /** UserMetaDataUpdated to every gateway whose sessions subscribed to the user; waits until the NATS server has it. */
  private toSubscribers(appId: AppId, uid: Uid): AfterWrite {
    return async (md) => {
      const event: UserMetadataEvent = { uid, md };
      this.bus.publish(MetadataSubjects.user(appId, uid), event, { trace: true });
      await this.bus.flush();
    };
  }

  /** ChannelMetaDataUpdated to the channel's members, on its event subject (as AttributesUpdated). */
  private toMembers(appId: AppId, ch: ChannelId): AfterWrite {
    return async (md) => {
      const event: ChannelMetadataEvent = { ch, md };
      this.bus.publish(Subjects.channelEvents(appId, ch), [ChanMsgKind.METADATA, event], { trace: true });
      await this.bus.flush();
    };
  }
}
