import { Evt, Op, PeerDelivery, isUid, type PeerMessageEvent, type SendPeerArgs, type SendPeerResult } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { PEER_MESSAGE_ERR, RtmInvalidArgumentError, RtmLimitExceededError, RtmUnknownError, notLoggedIn, type RtmError } from '../errors';
import { RecentKeys } from '../recent-keys';
import type { PeerMessageSendResult, ReceivedMessageProperties, RtmMessage, SendMessageOptions } from '../types';
import { loadThumbnail } from './media-message';
import { decodeMessage, encodeMessage, type MessageProblem } from './message-codec';

/** Received peer messages remembered for duplicate detection (per client, across reconnects). */
export const PEER_DEDUP_CAPACITY = 2000;

/**
 * sendMessageToPeer and MessageFromPeer (spec §2.1, §4; docs/protocol.md §10): text, raw, file and
 * image messages.
 *
 * Send: checks (login, peerId, message, 32 KB, 180 messages / 3 s shared with channel messages),
 * then Op.SEND_PEER with a message id unique per client. No answer within messageAttemptMs (6 s):
 * the same message (same id) is sent again; also after a reconnect; TIMEOUT after messageTimeoutMs
 * (10 s). Receive: Evt.PEER_MESSAGE, duplicates (same sender + message id) dropped, ACKed after the
 * listeners ran.
 */
export class PeerMessages {
  private readonly seen = new RecentKeys(PEER_DEDUP_CAPACITY);

  constructor(private readonly core: ClientCore) {
    core.onEvent(Evt.PEER_MESSAGE, (data) => this.received(data));
    core.onEnded(() => this.seen.clear());
  }

  send(message: RtmMessage, peerId: string, options?: SendMessageOptions): Promise<PeerMessageSendResult> {
    this.core.log.track('sendMessageToPeer', { peerId, messageType: (message as { messageType?: unknown } | null)?.messageType, options });
    // A file / image message with a thumbnail Blob the SDK has not read yet: read it first.
    const thumbnail = loadThumbnail(message);
    return thumbnail ? thumbnail.then(() => this.sendNow(message, peerId, options)) : this.sendNow(message, peerId, options);
  }

  private sendNow(message: RtmMessage, peerId: string, options?: SendMessageOptions): Promise<PeerMessageSendResult> {
    const { core } = this;
    if (core.session.state !== ConnectionState.CONNECTED) return Promise.reject(notLoggedIn('PEER_MESSAGE'));
    if (!isUid(peerId)) {
      return Promise.reject(new RtmInvalidArgumentError('PEER_MESSAGE: invalid peerId.', PEER_MESSAGE_ERR.INVALID_USERID));
    }
    const encoded = encodeMessage(message);
    if (!encoded.ok) return Promise.reject(messageError(encoded.problem, encoded.why));
    if (!core.messageRate.take()) {
      return Promise.reject(
        new RtmLimitExceededError(`PEER_MESSAGE: more than ${core.messageRate.max} messages in ${core.messageRate.windowMs} ms.`, PEER_MESSAGE_ERR.TOO_OFTEN),
      );
    }
    const args: SendPeerArgs = { to: peerId, id: core.newMessageId(), m: encoded.wire };
    if (options?.enableOfflineMessaging === true) args.offline = true;
    if (options?.enableHistoricalMessaging === true) args.hist = true;
    const { messageTimeoutMs, messageAttemptMs } = core.timers;
    return (
      core.session
        // A message to keep whose capture failed (UNAVAILABLE) goes again under its id: the peer drops a copy it has.
        .request<SendPeerResult>(Op.SEND_PEER, args, {
          op: 'PEER_MESSAGE',
          timeoutMs: messageTimeoutMs,
          attemptMs: messageAttemptMs,
          resendable: true,
          retryUnavailable: args.hist === true,
        })
        .then(sendResult)
    );
  }

  /** Evt.PEER_MESSAGE; the session ACKs after this returns (also when a listener threw). */
  private received(data: unknown): void {
    const { core } = this;
    const evt = data as Partial<PeerMessageEvent> | null;
    if (!evt || typeof evt !== 'object' || typeof evt.from !== 'string' || typeof evt.id !== 'string') {
      core.log.warn('ignored a malformed peer message event');
      return;
    }
    if (!this.seen.add(`${evt.from}\u0000${evt.id}`)) {
      core.log.debug(`dropped a duplicate of peer message ${evt.id} from ${evt.from}`);
      return;
    }
    const decoded = decodeMessage(evt.m);
    if (!decoded.ok) {
      core.log.warn(`ignored peer message ${evt.id} from ${evt.from}: ${decoded.why}`);
      return;
    }
    const props: ReceivedMessageProperties = {
      serverReceivedTs: typeof evt.ts === 'number' ? evt.ts : 0,
      isOfflineMessage: !!evt.off,
    };
    core.emitter.emit('MessageFromPeer', decoded.message, evt.from, props);
  }
}

function sendResult(result: SendPeerResult | null | undefined): PeerMessageSendResult {
  const d = result?.d;
  if (d === PeerDelivery.RECEIVED) return { hasPeerReceived: true, deliveryState: 'RECEIVED' };
  if (d === PeerDelivery.PEER_UNREACHABLE) return { hasPeerReceived: false, deliveryState: 'PEER_UNREACHABLE' };
  if (d === PeerDelivery.CACHED_BY_SERVER) return { hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' };
  throw new RtmUnknownError(`PEER_MESSAGE: unexpected answer from the server (delivery ${String(d)}).`, PEER_MESSAGE_ERR.FAILURE);
}

function messageError(problem: MessageProblem, why: string): RtmError {
  switch (problem) {
    case 'INCOMPATIBLE_MESSAGE':
      return new RtmInvalidArgumentError(`PEER_MESSAGE: ${why}.`, PEER_MESSAGE_ERR.INCOMPATIBLE_MESSAGE);
    case 'INVALID_MESSAGE':
    case 'TOO_LARGE':
      return new RtmInvalidArgumentError(`PEER_MESSAGE: ${why}.`, PEER_MESSAGE_ERR.INVALID_MESSAGE);
  }
}
