import { Evt, Op, type ChannelMetadataClearArgs, type ChannelMetadataEvent, type ChannelMetadataWriteArgs, type MetadataData } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { METADATA_OPERATION_ERR, RtmInvalidStatusError, notLoggedIn, type RtmError } from '../errors';
import type { RtmChannel } from '../rtm-channel';
import type { RtmMetadata } from '../types';
import { isRtmError } from './attribute-checks';
import { CHANNEL_METADATA_CALL_LIMITS, checkItems, checkOptions, keysOfItems, majorRevisionOf, toRtmMetadata, type MetadataWriteKind } from './metadata-checks';
import { retryAfterResume } from './resume-retry';

const OP = 'METADATA_OPERATION';

const WRITE_OPS: Record<MetadataWriteKind, Op> = {
  set: Op.SET_CHANNEL_METADATA,
  add: Op.ADD_CHANNEL_METADATA,
  update: Op.UPDATE_CHANNEL_METADATA,
  delete: Op.DELETE_CHANNEL_METADATA,
};

/** What channel metadata needs of the channels feature (src/features/channels.ts). */
export interface JoinedChannels {
  /** The joined (or joining) channel object of an id: where its events go. */
  member(channelId: string): RtmChannel | undefined;
  /**
   * For a request about a joined channel: the gate that holds it until the channel's rejoin after a
   * resume was answered; undefined when `channel` is not joined.
   */
  joinedGate(channel: RtmChannel): (() => boolean) | undefined;
  onLeft(hook: (channelId: string) => void): void;
}

/**
 * Channel metadata (agora-rtm-sdk 1.6.0 RtmChannel.set/add/update/delete/clear/getChannelMetadata,
 * ChannelMetaDataUpdated): on a joined channel. Every write's whole set reaches the members (the
 * writer too), emitted on the channel object and on the client; one whose majorRevision is not above
 * the last emitted for that channel is dropped. After a resume, a channel that had events gets the
 * current set once the rejoin is done, if it changed meanwhile.
 */
export class ChannelMetadataApi {
  /** Joined channels → majorRevision of the last set emitted (forgotten when the channel is left). */
  private readonly revisions = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly core: ClientCore,
    private readonly channels: JoinedChannels,
  ) {
    core.onEvent(Evt.CHANNEL_METADATA, (data) => this.received(data));
    core.onResumed(() => this.resumed());
    core.onEnded(() => this.generation++);
    channels.onLeft((channelId) => this.revisions.delete(channelId));
  }

  write(channel: RtmChannel, kind: MetadataWriteKind, items: unknown, options: unknown): Promise<void> {
    this.core.log.track(`RtmChannel.${kind}ChannelMetadata`, channel.channelId, keysOfItems(items), options);
    const checked = checkItems(items, kind, CHANNEL_METADATA_CALL_LIMITS);
    if (isRtmError(checked)) return Promise.reject(checked);
    const opts = checkOptions(options);
    if (isRtmError(opts)) return Promise.reject(opts);
    const args: ChannelMetadataWriteArgs = { ch: channel.channelId, items: checked, ...opts };
    return this.request(channel, WRITE_OPS[kind], args, false).then(() => undefined);
  }

  clear(channel: RtmChannel, options: unknown): Promise<void> {
    this.core.log.track('RtmChannel.clearChannelMetadata', channel.channelId, options);
    const opts = checkOptions(options);
    if (isRtmError(opts)) return Promise.reject(opts);
    const args: ChannelMetadataClearArgs = { ch: channel.channelId, ...opts };
    return this.request(channel, Op.CLEAR_CHANNEL_METADATA, args, false).then(() => undefined);
  }

  get(channel: RtmChannel): Promise<RtmMetadata> {
    this.core.log.track('RtmChannel.getChannelMetadata', channel.channelId);
    return this.request<MetadataData>(channel, Op.GET_CHANNEL_METADATA, { ch: channel.channelId }, true).then(toRtmMetadata);
  }

  /**
   * A request about a joined channel, written after its rejoin. Writes are not resent on another
   * socket (a write that reached the server may have happened: the call fails with TIMEOUT).
   */
  private request<T = unknown>(channel: RtmChannel, wireOp: Op, args: object, resendable: boolean): Promise<T> {
    const { core } = this;
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    const ready = this.channels.joinedGate(channel);
    if (!ready) return Promise.reject(notInChannel(channel.channelId));
    return core.session.request<T>(wireOp, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable, ready });
  }

  /** Evt.CHANNEL_METADATA → ChannelMetaDataUpdated on the joined channel object and on the client. */
  private received(data: unknown): void {
    const evt = data as Partial<ChannelMetadataEvent> | null;
    if (typeof evt !== 'object' || evt === null || typeof evt.ch !== 'string' || majorRevisionOf(evt.md) === undefined) {
      this.core.log.warn('ignored a malformed channel metadata event');
      return;
    }
    this.offer(evt.ch, evt.md!);
  }

  private offer(ch: string, md: MetadataData): void {
    const { core } = this;
    const channel = this.channels.member(ch);
    if (!channel) {
      core.log.debug(`ignored a metadata event of channel ${ch}: not joined`);
      return;
    }
    const last = this.revisions.get(ch) ?? -1;
    if (md.majorRevision <= last) {
      core.log.debug(`dropped metadata of channel ${ch} at revision ${md.majorRevision} (emitted ${last})`);
      return;
    }
    this.revisions.set(ch, md.majorRevision);
    const metadata = toRtmMetadata(md);
    for (const emit of [() => channel.emit('ChannelMetaDataUpdated', metadata), () => core.emitter.emit('ChannelMetaDataUpdated', metadata)]) {
      try {
        emit();
      } catch (err) {
        core.log.error('a ChannelMetaDataUpdated listener threw', err);
      }
    }
  }

  // --- reconnect ---

  /** Channels whose events this client saw: their current set after the rejoin, emitted if it changed while away. */
  private resumed(): void {
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    for (const ch of this.revisions.keys()) {
      const channel = this.channels.member(ch);
      if (!channel) continue;
      void retryAfterResume(
        this.core,
        `reading the metadata of channel ${ch}`,
        () =>
          this.request<MetadataData>(channel, Op.GET_CHANNEL_METADATA, { ch }, true).then((md) => {
            if (current() && majorRevisionOf(md) !== undefined) this.offer(ch, md);
          }),
        current,
      );
    }
  }
}

function notInChannel(channelId: string): RtmError {
  return new RtmInvalidStatusError(`${OP}: not in channel ${channelId}.`, METADATA_OPERATION_ERR.NOT_IN_CHANNEL);
}
