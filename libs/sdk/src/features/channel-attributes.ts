import {
  Evt,
  Op,
  isChannelId,
  type ChannelAttrsClearArgs,
  type ChannelAttrsDeleteArgs,
  type ChannelAttrsEvent,
  type ChannelAttrsGetArgs,
  type ChannelAttrsWriteArgs,
  type ChannelAttributesMap,
} from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { ATTRIBUTE_OPERATION_ERR, RtmInvalidArgumentError, notLoggedIn, type RtmError } from '../errors';
import type { AttributesMap, ChannelAttributeOptions, ChannelAttributes } from '../types';
import { CHANNEL_ATTRIBUTE_LIMITS, checkAttributes, checkChannelOptions, checkKeys, isRtmError, keysOf, toChannelAttributes } from './attribute-checks';
import type { Channels } from './channels';

const OP = 'ATTRIBUTE_OPERATION';

/**
 * Channel attributes (spec §2.1, no join needed) and the channel's AttributesUpdated event (§4):
 * Evt.CHANNEL_ATTRS carries the whole set after a write with enableNotificationToChannelMembers,
 * emitted on the joined channel object; an event not newer (`v`) than the last one of that
 * channel is dropped (a duplicate, or overtaken).
 */
export class ChannelAttributesApi {
  /** Largest `v` of an attributes event seen per joined channel (forgotten when it is left). */
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly core: ClientCore,
    private readonly channels: Channels,
  ) {
    core.onEvent(Evt.CHANNEL_ATTRS, (data) => this.received(data));
    // Also at logout / ABORTED: the channels feature leaves every channel then.
    channels.onLeft((channelId) => this.versions.delete(channelId));
  }

  set(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void> {
    this.core.log.track('setChannelAttributes', channelId, keysOf(attributes), options);
    return this.writeAttrs(Op.SET_CHANNEL_ATTRS, channelId, attributes, options);
  }

  addOrUpdate(channelId: string, attributes: AttributesMap, options?: ChannelAttributeOptions): Promise<void> {
    this.core.log.track('addOrUpdateChannelAttributes', channelId, keysOf(attributes), options);
    return this.writeAttrs(Op.ADD_CHANNEL_ATTRS, channelId, attributes, options);
  }

  deleteByKeys(channelId: string, attributeKeys: string[], options?: ChannelAttributeOptions): Promise<void> {
    this.core.log.track('deleteChannelAttributesByKeys', channelId, attributeKeys, options);
    if (!isChannelId(channelId)) return Promise.reject(invalidChannelId());
    const keys = checkKeys(attributeKeys);
    if (isRtmError(keys)) return Promise.reject(keys);
    const notify = checkChannelOptions(options);
    if (isRtmError(notify)) return Promise.reject(notify);
    return this.request(Op.DELETE_CHANNEL_ATTRS, withNotify<ChannelAttrsDeleteArgs>({ ch: channelId, keys }, notify)).then(noop);
  }

  clear(channelId: string, options?: ChannelAttributeOptions): Promise<void> {
    this.core.log.track('clearChannelAttributes', channelId, options);
    if (!isChannelId(channelId)) return Promise.reject(invalidChannelId());
    const notify = checkChannelOptions(options);
    if (isRtmError(notify)) return Promise.reject(notify);
    return this.request(Op.CLEAR_CHANNEL_ATTRS, withNotify<ChannelAttrsClearArgs>({ ch: channelId }, notify)).then(noop);
  }

  get(channelId: string): Promise<ChannelAttributes> {
    this.core.log.track('getChannelAttributes', channelId);
    if (!isChannelId(channelId)) return Promise.reject(invalidChannelId());
    return this.read({ ch: channelId });
  }

  getByKeys(channelId: string, keys: string[]): Promise<ChannelAttributes> {
    this.core.log.track('getChannelAttributesByKeys', channelId, keys);
    if (!isChannelId(channelId)) return Promise.reject(invalidChannelId());
    const checked = checkKeys(keys);
    if (isRtmError(checked)) return Promise.reject(checked);
    return this.read({ ch: channelId, keys: checked });
  }

  private writeAttrs(wireOp: Op, channelId: string, attributes: unknown, options: unknown): Promise<void> {
    if (!isChannelId(channelId)) return Promise.reject(invalidChannelId());
    const attrs = checkAttributes(attributes, CHANNEL_ATTRIBUTE_LIMITS);
    if (isRtmError(attrs)) return Promise.reject(attrs);
    const notify = checkChannelOptions(options);
    if (isRtmError(notify)) return Promise.reject(notify);
    return this.request(wireOp, withNotify<ChannelAttrsWriteArgs>({ ch: channelId, attrs }, notify)).then(noop);
  }

  private read(args: ChannelAttrsGetArgs): Promise<ChannelAttributes> {
    return this.request<ChannelAttributesMap>(Op.GET_CHANNEL_ATTRS, args).then(toChannelAttributes);
  }

  private request<T = unknown>(wireOp: Op, args: object): Promise<T> {
    const { core } = this;
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    return core.session.request<T>(wireOp, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true });
  }

  /** Evt.CHANNEL_ATTRS → AttributesUpdated on the joined channel object. */
  private received(data: unknown): void {
    const { core } = this;
    const evt = data as Partial<ChannelAttrsEvent> | null;
    if (!evt || typeof evt !== 'object' || typeof evt.ch !== 'string' || typeof evt.v !== 'number' || typeof evt.attrs !== 'object') {
      core.log.warn('ignored a malformed channel attributes event');
      return;
    }
    const channel = this.channels.member(evt.ch);
    if (!channel) {
      core.log.debug(`ignored an attributes event of channel ${evt.ch}: not joined`);
      return;
    }
    const last = this.versions.get(evt.ch);
    if (last !== undefined && evt.v <= last) {
      core.log.debug(`dropped attributes event v${evt.v} of channel ${evt.ch} (last v${last})`);
      return;
    }
    this.versions.set(evt.ch, evt.v);
    channel.emit('AttributesUpdated', toChannelAttributes(evt.attrs));
  }
}

function withNotify<T extends { notify?: boolean }>(args: T, notify: boolean): T {
  if (notify) args.notify = true;
  return args;
}

function invalidChannelId(): RtmError {
  return new RtmInvalidArgumentError(`${OP}: invalid channelId.`, ATTRIBUTE_OPERATION_ERR.INVALID_ARGUMENT);
}

function noop(): void {
  return undefined;
}
