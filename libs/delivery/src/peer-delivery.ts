import { Injectable } from '@nestjs/common';
import { createCodec, PeerDelivery as Delivery, type AppId, type PeerMessageEvent, type SendPeerResult } from '@parley/contracts';
import { PeerRouteCode, Subjects, UserMsgKind, type PeerAck, type StoreOfflineRequest } from '@parley/contracts/internal';
import { NatsBus, NO_RESPONDERS, RequestMux, ServiceClient, type RequestOutcome } from '@parley/platform';
import { isTracingEnabled, SpanKind, traceHeaders, withSpan } from '@parley/platform/telemetry';
import { HistoryCapture } from './history-capture';
import { MessageCapture } from './message-capture';
import { isRouteId, PeerRoutes } from './peer-routes';

const codec = createCodec();
/** [OFFLINE_STORED] on the receiver's user subject, sent after a store committed. */
const OFFLINE_STORED = codec.encode([UserMsgKind.OFFLINE_STORED]);
/** Span names use the subject's template (OpenTelemetry messaging conventions: low cardinality). */
export const PEER_DESTINATION = '{prefix}.{app}.user.{uid}';
export const peerSpanAttributes = (subject: string, operation: 'send' | 'process') => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.destination.template': PEER_DESTINATION,
  'messaging.operation.type': operation,
  'messaging.operation.name': operation,
});

export interface PeerSend {
  appId: AppId;
  to: string;
  event: PeerMessageEvent;
  /** enableOfflineMessaging: store for the receiver when no gateway holds a session that ACKs it. */
  offline: boolean;
  /** How long to wait for the receiver's gateway (which waits for its client's ACK). */
  timeoutMs: number;
  /**
   * enableHistoricalMessaging: keep it in the message history (also when the app stores every
   * message). Its durable capture runs alongside the delivery; the outcome waits for both, and a
   * failed capture fails the send (UNAVAILABLE) whatever the delivery did.
   */
  history?: boolean;
}

/** A send under way: `routed` settles as soon as it is known whether a gateway holds the receiver. */
export interface PeerSending {
  /** True: a gateway holding a session of the receiver took the message (its client has not necessarily ACKed). */
  routed: Promise<boolean>;
  /** What finally became of it (RECEIVED, CACHED_BY_SERVER after the store committed, or PEER_UNREACHABLE). */
  result: Promise<SendPeerResult>;
}

/**
 * Delivery of one peer message, the same for every sender (an SDK session on a gateway, an app
 * backend through the server API): a NATS request on the receiver's user subject, answered by the
 * gateway holding its session once the client ACKed; with offline storage asked for, a message no
 * client ACKed is stored (presence's offline store) and announced on the user subject, so a session
 * that logs in meanwhile is flushed. No database on the way unless the receiver is unreachable.
 */
@Injectable()
export class PeerMessageDelivery {
  constructor(
    private readonly mux: RequestMux,
    private readonly bus: NatsBus,
    private readonly services: ServiceClient,
    private readonly capture: MessageCapture,
    private readonly history: HistoryCapture,
    private readonly routes: PeerRoutes,
  ) {}

  /**
   * Delivers and waits for the outcome (the SDK's sendMessageToPeer): over the route learned for the
   * receiver when there is one (PeerRoutes: batched, gateway to gateway), else — and whenever the
   * route does not hold — as a request on its user subject. With traces exported every message
   * takes the user subject (its span and headers are per message).
   */
  deliver(send: PeerSend): Promise<SendPeerResult> {
    return new Promise((resolve, reject) => this.deliverThen(send, resolve, reject));
  }

  /**
   * deliver() with callbacks instead of a Promise (a gateway's hot path): one of them is called
   * once. It never throws: a send that fails at once (NATS closed) is rejected before this returns;
   * every other outcome comes in a later turn or callback. A message that goes over a route and is
   * ACKed makes no Promise on the way.
   */
  deliverThen(send: PeerSend, resolve: (result: SendPeerResult) => void, reject: (err: unknown) => void): void {
    try {
      const stored = this.store(send);
      if (!stored) return this.deliverNow(send, resolve, reject);
      const delivered = new Promise<SendPeerResult>((done, fail) => this.deliverNow(send, done, fail));
      Promise.all([delivered, stored]).then(([r]) => resolve(r), reject);
    } catch (err) {
      reject(err);
    }
  }

  private deliverNow(send: PeerSend, resolve: (result: SendPeerResult) => void, reject: (err: unknown) => void): void {
    const route = isTracingEnabled() ? undefined : this.routes.get(send.appId, send.to);
    if (!route) return this.viaSubject(send, resolve, reject);
    this.routes.sendThen(route, send.appId, send.to, send.event, send.timeoutMs, (code) => {
      // Whatever throws here fails the send: PeerRoutes would only log it, and the send would hang.
      let result: SendPeerResult;
      try {
        if (code === PeerRouteCode.NOT_HERE) {
          this.routes.forget(send.appId, send.to, route);
          return this.viaSubject(send, resolve, reject);
        }
        if (code !== PeerRouteCode.ACKED) return void this.outcome(send, false).then(resolve, reject);
        result = this.received(send);
      } catch (err) {
        return reject(err);
      }
      resolve(result);
    });
  }

  private viaSubject(send: PeerSend, resolve: (result: SendPeerResult) => void, reject: (err: unknown) => void): void {
    this.request(send)
      .then((o) => this.settle(send, o))
      .then(resolve, reject);
  }

  /**
   * Delivers and tells as early as possible whether it was routed (the server API's
   * wait_for_ack=false): NATS 2.9 answers a request nobody subscribes to with a 503 status before
   * it answers a PING sent after it, so once a flush returns the absence of that answer means a
   * gateway took the message.
   */
  start(send: PeerSend): PeerSending {
    let outcome: RequestOutcome | undefined;
    const stored = this.store(send);
    const requested = this.request(send).then((o) => (outcome = o));
    const routedNow = this.bus.flush().then(
      () => outcome !== NO_RESPONDERS,
      () => requested.then((o) => o !== NO_RESPONDERS),
    );
    const result = requested.then((o) => this.settle(send, o));
    if (!stored) return { routed: routedNow, result };
    return { routed: Promise.all([routedNow, stored]).then(([r]) => r), result: Promise.all([result, stored]).then(([r]) => r) };
  }

  /** The durable capture for the history, when the message is to be kept; else undefined. */
  private store(send: PeerSend): Promise<void> | undefined {
    if (!this.history.wants(send.appId, send.history)) return undefined;
    const { appId, to, event } = send;
    return this.history.peer(appId, event.from, to, event.id, event.ts, event.m);
  }

  private request(send: PeerSend): Promise<RequestOutcome> {
    const subject = Subjects.user(send.appId, send.to);
    const body = codec.encode([UserMsgKind.PEER_MESSAGE, send.event]);
    // Spans only when traces are exported: the message path stays allocation-free otherwise.
    return isTracingEnabled()
      ? withSpan(`send ${PEER_DESTINATION}`, SpanKind.PRODUCER, peerSpanAttributes(subject, 'send'), () =>
          this.mux.request(subject, body, send.timeoutMs, traceHeaders()),
        )
      : this.mux.request(subject, body, send.timeoutMs);
  }

  private settle(send: PeerSend, outcome: RequestOutcome): Promise<SendPeerResult> {
    // A string outcome: no gateway holds a session of the peer, or its gateway did not answer.
    if (typeof outcome === 'string') return this.outcome(send, false);
    const ack = codec.decode(outcome.data) as PeerAck;
    if (isRouteId(ack?.g)) this.routes.learn(send.appId, send.to, ack.g);
    return this.outcome(send, ack?.r === 1);
  }

  private async outcome(send: PeerSend, received: boolean): Promise<SendPeerResult> {
    if (received) return this.received(send);
    const { appId, to, event } = send;
    if (!send.offline) return { d: Delivery.PEER_UNREACHABLE, ts: event.ts };
    const req: StoreOfflineRequest = { appId, to, msg: event };
    // Not retried: the answer is the CACHED_BY_SERVER promise, a store is never doubled by a retry here.
    await this.services.request(Subjects.offline.store, req);
    // Committed: a gateway holding a logged-in session of the receiver pushes it now.
    this.bus.publishEncoded(Subjects.user(appId, to), OFFLINE_STORED);
    this.capture.peer(appId, event.from, to, event.id, event.ts, event.m, 'cached');
    return { d: Delivery.CACHED_BY_SERVER, ts: event.ts };
  }

  /** A client ACKed it: captured for the app's message stream, RECEIVED. */
  private received(send: PeerSend): SendPeerResult {
    const { appId, to, event } = send;
    this.capture.peer(appId, event.from, to, event.id, event.ts, event.m, 'received');
    return { d: Delivery.RECEIVED, ts: event.ts };
  }
}
