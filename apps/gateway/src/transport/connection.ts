import { Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { CloseCode, Frame } from '@parley/contracts';
import { IdSlots, settleLogged } from '@parley/platform';
import { EncodedFrame, type OutboundQueue, type QueuedConnection } from './outbound-queue';
import type { Session } from './session';

const logger = new Logger('Connection');

/** Runs a push's settle callback; what it throws is logged, never thrown into the socket's handlers. */
function settleSafely(settle: (ok: boolean) => void, ok: boolean): void {
  settleLogged(logger, "a push's ACK handler", settle, ok);
}

/**
 * One client socket. Kept small (there may be 100k per gateway): the socket, when it was last
 * heard from, unsent frames, and the session once logged in.
 */
export class Connection implements QueuedConnection {
  lastSeen = Date.now();
  /** When the socket opened: one that has not logged in within LOGIN_TIMEOUT_MS is closed. */
  readonly openedAt = this.lastSeen;
  /** The heartbeat interval this client was told in its HELLO (it is silent for at most 2× + 1 s). */
  heartbeatMs = 2_000;
  /** Logged in once (it no longer counts against the gateway's cap of sockets that never logged in). */
  authenticated = false;
  session: Session | null = null;
  /** Frames waiting for the next flush (one WebSocket message per flush: BATCH when several). */
  pending: unknown[] | null = null;
  closed = false;
  /** Requests dispatched and not yet answered (capped: REQUESTS_IN_FLIGHT_MAX). */
  inFlight = 0;
  private loginStamps: number[] | null = null;
  /** Pushes waiting for the client's ACK: ackId → settle(ok). Created on first use; slots, not a Map (IdSlots says why). */
  private acks: IdSlots<{ settle: (ok: boolean) => void; deadline: number }> | null = null;
  private nextAckId = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly outbound: OutboundQueue,
  ) {}

  send(frame: unknown): void {
    if (this.closed) return;
    if (this.pending) this.pending.push(frame);
    else {
      this.pending = [frame];
      this.outbound.schedule(this);
    }
  }

  /** A frame already MessagePack-encoded (one encoding shared by every member a message fans out to). */
  sendEncoded(bytes: Uint8Array): void {
    this.send(new EncodedFrame(bytes));
  }

  reply(id: number, result: unknown): void {
    this.send([Frame.RES, id, 0, result]);
  }

  fail(id: number, code: number, message: string, retryAfterMs?: number): void {
    this.send([Frame.RES, id, code, retryAfterMs === undefined ? { message } : { message, retryAfterMs }]);
  }

  event(evt: number, data: unknown): void {
    this.send([Frame.EVT, evt, data]);
  }

  /**
   * Pushes an event the client must acknowledge; resolves true on its ACK, false when the socket
   * closes or the ACK does not come within timeoutMs (checked by the gateway's tick).
   */
  deliver(evt: number, data: unknown, timeoutMs: number): Promise<boolean> {
    return new Promise((settle) => this.deliverThen(evt, data, timeoutMs, settle));
  }

  /**
   * deliver() for the hot path: `settle` is called once, with true on the client's ACK, false when
   * the socket closes or the ACK is overdue (at once when the socket is closed already). No Promise
   * and no microtask per push. A `settle` that throws is logged; it cannot break the ACK bookkeeping.
   */
  deliverThen(evt: number, data: unknown, timeoutMs: number, settle: (ok: boolean) => void): void {
    if (this.closed) return settleSafely(settle, false);
    const ackId = ++this.nextAckId;
    (this.acks ??= new IdSlots()).set(ackId, { settle, deadline: Date.now() + timeoutMs });
    this.send([Frame.EVT, evt, data, ackId]);
  }

  onAck(ackId: unknown): void {
    const pending = typeof ackId === 'number' ? this.acks?.take(ackId) : undefined;
    if (pending) settleSafely(pending.settle, true);
  }

  /** Fails pushes whose ACK is overdue (all of them once the socket is closed). */
  expireAcks(now: number): void {
    const acks = this.acks;
    if (!acks?.size) return;
    const overdue: ((ok: boolean) => void)[] = [];
    acks.forEach((pending, id) => {
      if (this.closed || now > pending.deadline) overdue.push(acks.take(id)!.settle);
    });
    for (const settle of overdue) settleSafely(settle, false);
  }

  /**
   * Login attempts on this socket within the window (rate limit before any session exists): records
   * one and returns 0, or returns the milliseconds until one is allowed again.
   */
  takeLogin(limit: number, windowMs: number, now = Date.now()): number {
    const stamps = this.loginStamps;
    if (!stamps) {
      if (limit < 1) return Math.max(1, windowMs);
      // Most connections log in once and keep their stamp for life: an array literal holds one slot,
      // where a push into [] reserves 17 (~130 bytes more per idle session, measured).
      this.loginStamps = [now];
      return 0;
    }
    while (stamps.length && now - stamps[0]! >= windowMs) stamps.shift();
    if (stamps.length >= limit) return Math.max(1, windowMs - (now - stamps[0]!));
    stamps.push(now);
    return 0;
  }

  /** Flushes what is pending, then closes with a code the SDK understands. */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    this.outbound.flushNow(this);
    this.closed = true;
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.closed = true;
    this.socket.terminate();
  }

  /** The socket is gone: settle what waits for it. */
  dispose(): void {
    this.closed = true;
    this.pending = null;
    this.expireAcks(Infinity);
  }
}
