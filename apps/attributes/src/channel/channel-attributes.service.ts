import { Inject, Injectable } from '@nestjs/common';
import { requireAppId, requireChannelId, requireUid, type AppId, type ChannelAttributesMap, type ChannelAttrsEvent, type ChannelId } from '@parley/contracts';
import { ChanMsgKind, Subjects, type ChannelAttrsGetRequest, type ChannelAttrsWriteRequest } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { ATTRIBUTES_CONFIG, type AttributesConfig } from '../config/attributes.config';
import { channelLimits, checkMerged, parseChange, parseKeyFilter, type AttributeLimits } from '../rules/attribute-rules';
import { ChannelAttributesRepository, type AfterWrite } from './channel-attributes.repository';

/** Attributes of any channel (membership is not required); members may be told the new set after a write. */
@Injectable()
export class ChannelAttributesService {
  private readonly limits: AttributeLimits;

  constructor(
    private readonly repository: ChannelAttributesRepository,
    private readonly bus: NatsBus,
    @Inject(ATTRIBUTES_CONFIG) config: AttributesConfig,
  ) {
    this.limits = channelLimits(config);
  }

  async write(req: ChannelAttrsWriteRequest): Promise<null> {
    const appId = requireAppId(req?.appId);
    const ch = requireChannelId(req.ch);
    const uid = requireUid(req.uid);
    const change = parseChange(req, this.limits);
    const notify = req.notify === true ? this.notifier(appId, ch) : undefined;
    await this.repository.write(appId, ch, uid, change, (current) => checkMerged(current, change, this.limits), notify);
    return null;
  }

  async get(req: ChannelAttrsGetRequest): Promise<ChannelAttributesMap> {
    const appId = requireAppId(req?.appId);
    const ch = requireChannelId(req.ch);
    return this.repository.get(appId, ch, parseKeyFilter(req.keys, this.limits));
  }

  /**
   * Publishes AttributesUpdated while the write still holds the channel's lock, and waits for the
   * NATS server to have it: the next writer cannot publish before, so members see writes in order.
   */
  private notifier(appId: AppId, ch: ChannelId): AfterWrite {
    return async (attrs, version) => {
      const event: ChannelAttrsEvent = { ch, attrs, v: version };
      this.bus.publish(Subjects.channelEvents(appId, ch), [ChanMsgKind.ATTRIBUTES, event], { trace: true });
      await this.bus.flush();
    };
  }
}
