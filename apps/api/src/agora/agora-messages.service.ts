import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MessageKind, PeerDelivery, type AppId, type PeerMessageEvent, type WireMessage } from '@parley/contracts';
import { checkMessageBody, ChannelMessageDelivery, PeerMessageDelivery } from '@parley/delivery';
import { requireActingAs } from '../auth/api-auth.service';
import type { Principal } from '../auth/principal';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { SharedRateLimits } from '../http/shared-rate-limits';
import type { ChannelMessageBody, PeerMessageBody } from './agora.schemas';
import { IdempotencyStore, idempotencyHash } from './idempotency.store';

export type PeerCode = 'message_sent' | 'message_delivered' | 'peer_offline';

export interface SendOutcome<T> {
  body: T;
  replayed: boolean;
}

/**
 * Agora's message endpoints: the message goes out exactly as an SDK sender's would (same NATS
 * subjects, same events and properties on the receiving SDK, the same offline store and dedup by
 * sender + message id) through @parley/delivery; the sending user need not be logged in.
 */
@Injectable()
export class AgoraMessagesService {
  constructor(
    private readonly peers: PeerMessageDelivery,
    private readonly channels: ChannelMessageDelivery,
    private readonly idempotency: IdempotencyStore,
    private readonly limits: SharedRateLimits,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async sendPeer(
    caller: Principal,
    from: string,
    body: PeerMessageBody,
    waitForAck: boolean,
    requestId: string,
    key?: string,
  ): Promise<SendOutcome<{ result: 'success'; request_id: string; code: PeerCode }>> {
    requireActingAs(caller, from);
    const m = this.message(body.payload);
    this.limits.take('send', caller.appId);
    const hash = key === undefined ? undefined : idempotencyHash(caller.appId, `peer:${from}`, key);
    return this.idempotency.run(hash, async () => {
      const event: PeerMessageEvent = { from, id: hash ? `api-${hash}` : `api-${randomUUID()}`, m, ts: Date.now() };
      const code = await this.deliverPeer(caller.appId, body, event, waitForAck);
      return { result: 'success' as const, request_id: requestId, code };
    });
  }

  async sendChannel(
    caller: Principal,
    from: string,
    body: ChannelMessageBody,
    requestId: string,
    key?: string,
  ): Promise<SendOutcome<{ result: 'success'; request_id: string; code: 'message_sent' }>> {
    requireActingAs(caller, from);
    const m = this.message(body.payload);
    this.limits.take('send', caller.appId);
    const hash = key === undefined ? undefined : idempotencyHash(caller.appId, `channel:${from}`, key);
    return this.idempotency.run(hash, async () => {
      const id = hash ? `api-${hash}` : `api-${randomUUID()}`;
      // With history asked for (or stored for every message of the app), answered once it is durably captured.
      await this.channels.publish(caller.appId, body.channel_name, { from, id, m, ts: Date.now() }, body.enable_historical_messaging === true);
      return { result: 'success' as const, request_id: requestId, code: 'message_sent' as const };
    });
  }

  private message(payload: string): WireMessage {
    const m: WireMessage = { k: MessageKind.TEXT, text: payload };
    checkMessageBody(m, this.config.MESSAGE_MAX_BYTES);
    return m;
  }

  /**
   * wait_for_ack=true: the receiver's client ACKed → message_delivered. With offline storage asked
   * for, message_sent is answered only once that promise holds: the receiver's client ACKed or the
   * store committed (an answer given earlier would be lost with this replica). Otherwise (false, no
   * offline storage): a gateway holding the receiver took it → message_sent, its ACK follows in the
   * background as for an SDK sender; nobody holds the receiver → peer_offline.
   */
  private async deliverPeer(appId: AppId, body: PeerMessageBody, event: PeerMessageEvent, waitForAck: boolean): Promise<PeerCode> {
    const send = {
      appId,
      to: body.destination,
      event,
      offline: body.enable_offline_messaging === true,
      history: body.enable_historical_messaging === true,
      timeoutMs: this.config.PEER_DELIVERY_TIMEOUT_MS,
    };
    if (waitForAck || send.offline) return codeOf(await this.peers.deliver(send), waitForAck);
    const sending = this.peers.start(send);
    if (await sending.routed) {
      void sending.result.catch(() => undefined);
      return 'message_sent';
    }
    return codeOf(await sending.result, false);
  }
}

function codeOf(result: { d: PeerDelivery }, waited: boolean): PeerCode {
  switch (result.d) {
    case PeerDelivery.RECEIVED:
      return waited ? 'message_delivered' : 'message_sent';
    case PeerDelivery.CACHED_BY_SERVER:
      return 'message_sent';
    case PeerDelivery.PEER_UNREACHABLE:
      return 'peer_offline';
  }
}
