import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createCodec, ErrorCode, Evt, isUid, ParleyError, type PeerMessageEvent, type SendPeerArgs, type SendPeerResult } from '@parley/contracts';
import { PeerRouteCode, type PeerAck } from '@parley/contracts/internal';
import { NatsBus, watchConnection } from '@parley/platform';
import { PEER_DESTINATION, PeerMessageDelivery, peerSpanAttributes, type PeerSend } from '@parley/delivery';
import type { Msg } from 'nats';
import { extractTraceContext, isTracingEnabled, SpanKind, withSpan } from '@parley/platform/telemetry';
import { OfflineClient } from '../clients/offline.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { messagesIn, messagesOut, observePeerDelivery } from '../metrics/gateway.metrics';
import { messageTotals } from '../metrics/message-totals';
import { deliveredKey, InflightSends, type Session } from '../transport/session';
import { PeerRoute } from '../sessions/peer-route';
import { SessionsService } from '../sessions/sessions.service';
import { checkOutgoingMessage, requireMessageId } from '../sessions/message-rules';
import type { Connection } from '../transport/connection';

const codec = createCodec();
const DELIVERED_MEMORY = 64;
/** Sessions flushed at once after a reconnect to NATS (each flush is one indexed fetch when nothing is stored). */
const RECONNECT_FLUSH_CONCURRENCY = 16;

/**
 * Peer messages. Hot path: sender session → this gateway → NATS request on the receiver's user
 * subject → the receiver's gateway pushes it and replies once the client ACKed → back here. No
 * database unless the peer is not reachable and the sender asked for offline storage.
 */
@Injectable()
export class PeerMessagesService implements OnApplicationShutdown {
  private readonly logger = new Logger(PeerMessagesService.name);
  /** Sessions whose stored messages are being pushed; `again`: something was stored meanwhile, fetch once more. */
  private readonly flushing = new WeakMap<Session, { again: boolean; done: Promise<void> }>();
  /** Logins in flight that heard an OFFLINE_STORED notice: their login flush fetches whatever presence said. */
  private readonly storedDuringLogin = new WeakSet<Session>();
  private readonly stopWatching: () => void;
  /** Answers on user subjects, naming this gateway's route (later messages to the uid come that way). */
  private readonly acked: Uint8Array;
  private readonly notAcked: Uint8Array;

  constructor(
    private readonly sessions: SessionsService,
    private readonly offline: OfflineClient,
    private readonly delivery: PeerMessageDelivery,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly bus: NatsBus,
    route: PeerRoute,
  ) {
    this.acked = codec.encode({ r: 1, g: route.id } satisfies PeerAck);
    this.notAcked = codec.encode({ r: 0, g: route.id } satisfies PeerAck);
    // Cut off from NATS (a NATS restart), this gateway heard neither the messages nor the
    // OFFLINE_STORED notices for its users meanwhile: senders stored those messages. Flush everyone.
    this.stopWatching = watchConnection(bus, { reconnected: () => void this.flushAll() });
  }

  onApplicationShutdown(): void {
    this.stopWatching();
  }

  send(conn: Connection, args: SendPeerArgs): Promise<SendPeerResult> {
    const started = performance.now();
    const session = this.sessions.requireSession(conn);
    if (!isUid(args?.to)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid peer id');
    requireMessageId(args.id);
    const joined = session.inflight?.get(args.id);
    if (joined) return joined as Promise<SendPeerResult>; // a resend of a message still on its way
    checkOutgoingMessage(session, args.m, this.config);
    messagesIn.peer.add(args.m.k);
    messageTotals.peer(session.appId);

    const event: PeerMessageEvent = { from: session.uid, id: args.id, m: args.m, ts: Date.now() };
    const send: PeerSend = {
      appId: session.appId,
      to: args.to,
      event,
      offline: args.offline === true,
      history: args.hist === true, // enableHistoricalMessaging: the answer also waits for the durable capture
      timeoutMs: this.config.PEER_DELIVERY_TIMEOUT_MS,
    };
    const inflight = (session.inflight ??= new InflightSends());
    let answered = false; // a send that failed at once is answered before deliverThen returns
    const result = new Promise<SendPeerResult>((resolve, reject) =>
      this.delivery.deliverThen(
        send,
        (r) => {
          answered = true;
          inflight.delete(args.id);
          resolve(r);
          observePeerDelivery(started, r.d);
        },
        (err) => {
          answered = true;
          inflight.delete(args.id);
          reject(err);
          observePeerDelivery(started, undefined);
        },
      ),
    );
    if (!answered) inflight.add(args.id, result);
    return result;
  }

  /**
   * Stored messages are pushed after a login that has some (`flushAtLogin`), and whenever one is
   * stored for a user that is logged in already (UserMsgKind.OFFLINE_STORED): its registration may
   * have looked before the row was committed (it resumed here while the sender's store was in
   * flight), or it never left and the live push went unacknowledged. A notice for a login still in
   * flight is kept for its login flush.
   */
  stored(targets: ReadonlySet<Session>): void {
    for (const s of targets) {
      if (s.ended || !s.conn) continue;
      if (s.epoch === null) this.storedDuringLogin.add(s);
      else void this.flush(s);
    }
  }

  /**
   * After a login: fetch the stored messages only when presence saw some at registration, or a store
   * was announced while the login was in flight. Nothing is missed otherwise: a store committed after
   * the registration read the table is announced (OFFLINE_STORED) on the user subject, which the
   * session subscribed to before registering.
   */
  flushAtLogin(session: Session, offlineStored: boolean): void {
    const announced = this.storedDuringLogin.has(session);
    this.storedDuringLogin.delete(session);
    if (offlineStored || announced) void this.flush(session);
  }

  /** UserMsgKind.PEER_MESSAGE for a user this gateway holds: push it to the live session, reply once it is ACKed. */
  receive(targets: ReadonlySet<Session>, body: unknown, msg: Msg): void {
    const event = body as PeerMessageEvent;
    if (!event || typeof event.from !== 'string') {
      msg.respond(this.notAcked);
      return;
    }
    const answer = (code: PeerRouteCode) => msg.respond(code === PeerRouteCode.ACKED ? this.acked : this.notAcked);
    if (isTracingEnabled() && msg.headers) {
      const push = () =>
        new Promise<void>((done, fail) =>
          this.push(targets, event, PeerRouteCode.NOT_ACKED, (code) => {
            try {
              answer(code);
              done();
            } catch (err) {
              fail(err);
            }
          }),
        );
      void withSpan(`process ${PEER_DESTINATION}`, SpanKind.CONSUMER, peerSpanAttributes(msg.subject, 'process'), push, extractTraceContext(msg.headers));
      return;
    }
    this.push(targets, event, PeerRouteCode.NOT_ACKED, answer);
  }

  /**
   * A message that came over this gateway's route (PeerRoute): `answer` gets its code once, at once
   * or when the client ACKed (or did not); NOT_HERE when no live session of the uid is here.
   */
  receiveRouted(targets: ReadonlySet<Session>, event: PeerMessageEvent, answer: (code: PeerRouteCode) => void): void {
    this.push(targets, event, PeerRouteCode.NOT_HERE, answer);
  }

  /**
   * Pushes to the newest live session among `targets` and answers once: `none` when there is none,
   * ACKED for a resend that session took already, else ACKED/NOT_ACKED by the client's ACK. The hot
   * path of every peer message: a callback, not a Promise chain (no microtasks, fewer allocations).
   */
  private push(targets: ReadonlySet<Session>, event: PeerMessageEvent, none: PeerRouteCode, answer: (code: PeerRouteCode) => void): void {
    let target: Session | undefined;
    for (const s of targets) if (s.conn && s.epoch !== null && !s.ended && (!target || s.epoch > target.epoch!)) target = s;
    if (!target) return answer(none);
    const key = deliveredKey(event.from, event.id);
    if (target.wasDelivered(key)) return answer(PeerRouteCode.ACKED); // a resend of a message this session already took
    const session = target;
    messagesOut.peer.add(event.m?.k);
    session.conn!.deliverThen(Evt.PEER_MESSAGE, event, this.config.ACK_TIMEOUT_MS, (ok) => {
      if (ok) session.rememberDelivered(key, DELIVERED_MEMORY);
      answer(ok ? PeerRouteCode.ACKED : PeerRouteCode.NOT_ACKED);
    });
  }

  /** One flush per session at a time; a request while it runs makes it fetch once more at the end. */
  flush(session: Session): Promise<void> {
    const running = this.flushing.get(session);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    this.flushing.set(session, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.flushOffline(session);
        } while (state.again && !session.ended);
      } finally {
        this.flushing.delete(session);
      }
    })();
    return state.done;
  }

  /** After a reconnect to NATS: flush every logged-in session, a few at a time. */
  private async flushAll(): Promise<void> {
    const live = [...this.sessions.sessions].filter((s) => s.epoch !== null && s.conn && !s.ended);
    for (let i = 0; i < live.length; i += RECONNECT_FLUSH_CONCURRENCY) {
      await Promise.all(live.slice(i, i + RECONNECT_FLUSH_CONCURRENCY).map((s) => this.flush(s)));
    }
  }

  /** Push stored messages in order, remove each batch once ACKed; stop at the first miss. */
  private async flushOffline(session: Session): Promise<void> {
    try {
      for (;;) {
        const batch = await this.offline.fetch({ appId: session.appId, uid: session.uid, limit: this.config.OFFLINE_FLUSH_BATCH });
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
        for (const s of delivered) session.rememberDelivered(deliveredKey(s.msg.from, s.msg.id), DELIVERED_MEMORY);
        const done = delivered.map((s) => s.seq);
        if (done.length) await this.offline.remove({ appId: session.appId, uid: session.uid, seqs: done });
        if (done.length < batch.length || batch.length < this.config.OFFLINE_FLUSH_BATCH) return;
      }
    } catch (err) {
      this.logger.warn(`offline flush for ${session.uid} stopped: ${(err as Error).message}`);
    }
  }
}
