import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createCodec,
  ErrorCode,
  Evt,
  isUid,
  ParleyError,
  PeerDelivery,
  Subjects,
  UserMsgKind,
  type PeerAck,
  type PeerMessageEvent,
  type SendPeerArgs,
  type SendPeerResult,
  type StoredOfflineMessage,
} from '@parley/contracts';
import { RequestMux, ServiceClient } from '@parley/platform';
import type { Msg } from 'nats';
import { extractTraceContext, isTracingEnabled, SpanKind, traceHeaders, withSpan } from '@parley/platform/telemetry';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { messagesIn, messagesOut, observePeerDelivery } from '../metrics/gateway.metrics';
import type { Session } from '../sessions/session';
import { SessionsService } from '../sessions/sessions.service';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import { checkOutgoingMessage, requireMessageId } from './message-rules';
import type { Connection } from '../ws/connection';

const codec = createCodec();
const ACKED = codec.encode({ r: 1 } satisfies PeerAck);
const NOT_ACKED = codec.encode({ r: 0 } satisfies PeerAck);
const DELIVERED_MEMORY = 64;
/** Span names use the subject's template (OpenTelemetry messaging conventions: low cardinality). */
const PEER_DESTINATION = '{prefix}.{app}.user.{uid}';
const peerSpanAttributes = (subject: string, operation: 'send' | 'process') => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.destination.template': PEER_DESTINATION,
  'messaging.operation.type': operation,
  'messaging.operation.name': operation,
});

/**
 * Peer messages. Hot path: sender session → this gateway → NATS request on the receiver's user
 * subject → the receiver's gateway pushes it and replies once the client ACKed → back here. No
 * database unless the peer is not reachable and the sender asked for offline storage.
 */
@Injectable()
export class PeerMessagesService {
  private readonly logger = new Logger(PeerMessagesService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly services: ServiceClient,
    private readonly mux: RequestMux,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    users: UserSubscriptions,
  ) {
    users.on(UserMsgKind.PEER_MESSAGE, (targets, body, msg) => this.receive(targets, body as PeerMessageEvent, msg));
    sessions.onLogin((session) => void this.flushOffline(session));
  }

  send(conn: Connection, args: SendPeerArgs): Promise<SendPeerResult> {
    const started = performance.now();
    const session = this.sessions.requireSession(conn);
    if (!isUid(args?.to)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid peer id');
    requireMessageId(args.id);
    const inflight = session.inflight?.get(args.id);
    if (inflight) return inflight as Promise<SendPeerResult>; // a resend of a message still on its way
    checkOutgoingMessage(session, args.m, this.config);
    messagesIn.peer.add(args.m.k);

    const event: PeerMessageEvent = { from: session.uid, id: args.id, m: args.m, ts: Date.now() };
    const result = this.deliver(session, args.to, event, args.offline === true);
    const map = (session.inflight ??= new Map());
    map.set(args.id, result);
    void result.then(
      (r) => {
        map.delete(args.id);
        observePeerDelivery(started, r.d);
      },
      () => {
        map.delete(args.id);
        observePeerDelivery(started, undefined);
      },
    );
    return result;
  }

  private async deliver(session: Session, to: string, event: PeerMessageEvent, offline: boolean): Promise<SendPeerResult> {
    const subject = Subjects.user(session.appId, to);
    const body = codec.encode([UserMsgKind.PEER_MESSAGE, event]);
    const timeoutMs = this.config.PEER_DELIVERY_TIMEOUT_MS;
    // Spans only when traces are exported: the message path stays allocation-free otherwise.
    const outcome = isTracingEnabled()
      ? await withSpan(`send ${PEER_DESTINATION}`, SpanKind.PRODUCER, peerSpanAttributes(subject, 'send'), () =>
          this.mux.request(subject, body, timeoutMs, traceHeaders()),
        )
      : await this.mux.request(subject, body, timeoutMs);
    // A string outcome: no gateway holds a session of the peer, or its gateway did not answer.
    const received = typeof outcome !== 'string' && (codec.decode(outcome.data) as PeerAck).r === 1;
    if (received) return { d: PeerDelivery.RECEIVED, ts: event.ts };
    if (!offline) return { d: PeerDelivery.PEER_UNREACHABLE, ts: event.ts };
    await this.services.request(Subjects.offline.store, { appId: session.appId, to, msg: event });
    return { d: PeerDelivery.CACHED_BY_SERVER, ts: event.ts };
  }

  /** A message for a user this gateway holds: push it to the live session, reply once it is ACKed. */
  private receive(targets: ReadonlySet<Session>, event: PeerMessageEvent, msg: Msg): void {
    let target: Session | undefined;
    for (const s of targets) if (s.conn && s.epoch !== null && !s.ended && (!target || s.epoch > target.epoch!)) target = s;
    if (!target || !event || typeof event.from !== 'string') {
      msg.respond(NOT_ACKED);
      return;
    }
    const key = `${event.from}\u0000${event.id}`;
    if (target.wasDelivered(key)) {
      msg.respond(ACKED); // a resend of a message this session already took
      return;
    }
    const session = target;
    messagesOut.peer.add(event.m?.k);
    const push = () =>
      session.conn!.deliver(Evt.PEER_MESSAGE, event, this.config.ACK_TIMEOUT_MS).then((ok) => {
        if (ok) session.rememberDelivered(key, DELIVERED_MEMORY);
        msg.respond(ok ? ACKED : NOT_ACKED);
      });
    if (isTracingEnabled() && msg.headers) {
      void withSpan(`process ${PEER_DESTINATION}`, SpanKind.CONSUMER, peerSpanAttributes(msg.subject, 'process'), push, extractTraceContext(msg.headers));
    } else void push();
  }

  /** After login: push stored messages in order, remove each batch once ACKed; stop at the first miss. */
  private async flushOffline(session: Session): Promise<void> {
    try {
      for (;;) {
        const batch = await this.services.request<StoredOfflineMessage[]>(Subjects.offline.fetch, {
          appId: session.appId,
          uid: session.uid,
          limit: this.config.OFFLINE_FLUSH_BATCH,
        });
        if (!batch.length) return;
        const conn = session.conn;
        if (!conn || session.ended) return;
        const acked = await Promise.all(
          batch.map((s) => {
            messagesOut.offline.add(s.msg.m?.k);
            return conn.deliver(Evt.PEER_MESSAGE, s.msg, this.config.ACK_TIMEOUT_MS);
          }),
        );
        const delivered = batch.filter((_, i) => acked[i]);
        for (const s of delivered) session.rememberDelivered(`${s.msg.from}\u0000${s.msg.id}`, DELIVERED_MEMORY);
        const done = delivered.map((s) => s.seq);
        if (done.length) await this.services.request(Subjects.offline.remove, { appId: session.appId, uid: session.uid, seqs: done });
        if (done.length < batch.length || batch.length < this.config.OFFLINE_FLUSH_BATCH) return;
      }
    } catch (err) {
      this.logger.warn(`offline flush for ${session.uid} stopped: ${(err as Error).message}`);
    }
  }
}
