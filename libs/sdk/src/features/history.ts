import { HISTORY_LIMITS, isUid, Op, type ChannelHistoryArgs, type HistoryItem, type HistoryPage, type PeerHistoryArgs } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { HISTORY_OPERATION_ERR, RtmInvalidArgumentError, RtmInvalidStatusError, RtmUnknownError, notLoggedIn } from '../errors';
import type { RtmChannel } from '../rtm-channel';
import type { RtmHistoryMessage, RtmHistoryPage } from '../types';
import type { JoinedChannels } from './channel-metadata';
import { decodeMessage } from './message-codec';

const OP = 'HISTORY_OPERATION';
const OPTION_KEYS = new Set(['before', 'limit']);

/**
 * Message history (Parley, an addition beyond agora-rtm-sdk 1.x; docs/protocol.md §14):
 * RtmChannel.getHistory on a joined channel and RtmClient.getPeerHistory for the conversation with
 * one peer. Messages sent with `enableHistoricalMessaging` are kept by the server; a page comes
 * back newest first, as the message objects the events give. Reads are resent after a reconnect.
 */
export class HistoryApi {
  constructor(
    private readonly core: ClientCore,
    private readonly channels: JoinedChannels,
  ) {}

  /** A joined channel's messages (its members' and our own), newest first. */
  channel(channel: RtmChannel, options: unknown): Promise<RtmHistoryPage> {
    const { core } = this;
    core.log.track('RtmChannel.getHistory', channel.channelId, options);
    const bounds = checkOptions(options);
    if (bounds instanceof RtmInvalidArgumentError) return Promise.reject(bounds);
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    // After a resume the read waits for the channel's rejoin, like its messages.
    const ready = this.channels.joinedGate(channel);
    if (!ready) return Promise.reject(new RtmInvalidStatusError(`${OP}: not in channel ${channel.channelId}.`, HISTORY_OPERATION_ERR.NOT_IN_CHANNEL));
    const args: ChannelHistoryArgs = { ch: channel.channelId, ...bounds };
    return core.session
      .request<HistoryPage>(Op.GET_CHANNEL_HISTORY, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true, ready })
      .then((page) => this.toPage(page, `channel ${channel.channelId}`));
  }

  /** The conversation between the local user and `peerId` (both directions), newest first. */
  peer(peerId: unknown, options: unknown): Promise<RtmHistoryPage> {
    const { core } = this;
    core.log.track('getPeerHistory', peerId, options);
    if (!isUid(peerId)) return Promise.reject(invalid('invalid peerId'));
    const bounds = checkOptions(options);
    if (bounds instanceof RtmInvalidArgumentError) return Promise.reject(bounds);
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn(OP));
    const args: PeerHistoryArgs = { peer: peerId, ...bounds };
    return core.session
      .request<HistoryPage>(Op.GET_PEER_HISTORY, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true })
      .then((page) => this.toPage(page, `the conversation with ${peerId}`));
  }

  /** The server's page as the app gets it; a message of a kind this SDK cannot build is left out (logged). */
  private toPage(page: HistoryPage | null | undefined, what: string): RtmHistoryPage {
    if (!page || typeof page !== 'object' || !Array.isArray(page.msgs)) {
      throw new RtmUnknownError(`${OP}: unexpected answer from the server.`, HISTORY_OPERATION_ERR.FAILURE);
    }
    const messages: RtmHistoryMessage[] = [];
    let oldest: number | undefined;
    for (const item of page.msgs as Partial<HistoryItem>[]) {
      if (!item || typeof item !== 'object' || typeof item.from !== 'string' || typeof item.ts !== 'number') {
        this.core.log.warn(`left out a malformed message of the history of ${what}`);
        continue;
      }
      oldest = oldest === undefined ? item.ts : Math.min(oldest, item.ts);
      const decoded = decodeMessage(item.m);
      if (!decoded.ok) {
        this.core.log.warn(`left out message ${String(item.id)} of the history of ${what}: ${decoded.why}`);
        continue;
      }
      messages.push({ message: decoded.message, senderId: item.from, serverReceivedTs: item.ts });
    }
    const result: RtmHistoryPage = { messages, hasMore: page.more === true && oldest !== undefined };
    if (result.hasMore) result.nextBefore = oldest;
    return result;
  }
}

function invalid(why: string): RtmInvalidArgumentError {
  return new RtmInvalidArgumentError(`${OP}: ${why}.`, HISTORY_OPERATION_ERR.INVALID_ARGUMENT);
}

/** RtmHistoryOptions on the wire (absent fields left out), or the error; unknown keys are refused. */
function checkOptions(options: unknown): { before?: number; limit?: number } | RtmInvalidArgumentError {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) return invalid('options must be an object { before?, limit? }');
  const unknown = Object.keys(options).find((k) => !OPTION_KEYS.has(k));
  if (unknown !== undefined) return invalid(`options has no "${unknown}" (before, limit)`);
  const { before, limit } = options as Record<string, unknown>;
  const out: { before?: number; limit?: number } = {};
  if (before !== undefined) {
    if (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 0) return invalid('before must be a non-negative integer (Unix ms)');
    out.before = before;
  }
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMITS.PAGE_MAX) {
      return invalid(`limit must be an integer from 1 to ${HISTORY_LIMITS.PAGE_MAX}`);
    }
    out.limit = limit;
  }
  return out;
}
