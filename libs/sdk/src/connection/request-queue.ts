import { ErrorCode, Frame, type Op } from '@parley/contracts';
import { rtmError, type Operation, type RtmError } from '../errors';
import type { Logger } from '../logger';
import { FrameTooBigError, type WireSocket } from './wire-socket';

export interface RequestOptions {
  /** Error table (spec §6.1) that server codes and timeouts are mapped with. */
  op: Operation;
  /** Overall deadline, across attempts and reconnects. */
  timeoutMs: number;
  /**
   * Safe to send again on a new socket when the old one died before the answer came (idempotent,
   * or deduplicated by the server). Otherwise the call fails at once with the op's TIMEOUT error.
   */
  resendable: boolean;
  /**
   * Resendable requests only: when no answer came this long after a write, the same args are
   * written again (under a new request id) on the current socket. Answers to any of the request's
   * ids settle it. Unset = one write per socket.
   */
  attemptMs?: number;
  /**
   * Written only while this returns true (e.g. a channel message waits for its channel's rejoin
   * after a reconnect); whoever makes it true calls Session.flush(). The deadline keeps running.
   */
  ready?: () => boolean;
  /**
   * Resendable requests only: an UNAVAILABLE answer (a backend of the server is briefly down) writes
   * the same args again after the answer's retryAfterMs (else 300 ms, doubling up to 2 s) instead
   * of failing, while that still fits in the deadline. For sends the server deduplicates by message id
   * (a message to keep in the history whose capture failed: the receiver may have it already).
   */
  retryUnavailable?: boolean;
  /**
   * W3C traceparent sent with the request (5th element of the REQ frame): requests of one SDK call
   * that needs several (an upload, a download) share it, so the gateway puts them in one trace.
   */
  traceparent?: string;
}

interface Pending {
  /** Request id of the latest write (the first one before any write). */
  id: number;
  /** Every request id this request was written with; an answer to any of them settles it. */
  ids: number[];
  written: boolean;
  wireOp: Op;
  args: unknown;
  opts: RequestOptions;
  resolve(value: unknown): void;
  reject(err: RtmError): void;
  timer: ReturnType<typeof setTimeout>;
  /** Date.now() at which `timer` fires. */
  deadline: number;
  /** UNAVAILABLE answers retried so far (retryUnavailable). */
  unavailable: number;
  attemptTimer?: ReturnType<typeof setTimeout>;
  /** Socket the request was last written on; undefined = (re)send on the next usable socket. */
  socket?: WireSocket;
}

/**
 * Requests of one client. They outlive sockets: a request is written on the current socket when
 * the session is CONNECTED, otherwise (or again, when resendable) after the next (re)login.
 */
export class RequestQueue {
  /** By request id: a request written several times is listed under each of its ids. */
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  /** `current`: the socket requests are written on now (undefined when not CONNECTED). */
  constructor(
    private readonly log: Logger,
    private readonly current: () => WireSocket | undefined = () => undefined,
  ) {}

  get size(): number {
    return this.requests().length;
  }

  /** Request ids are unique per client, hence per socket. */
  allocateId(): number {
    this.lastId = this.lastId >= 0x7fffffff ? 1 : this.lastId + 1;
    return this.lastId;
  }

  add<T>(wireOp: Op, args: unknown, opts: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.allocateId();
      const req: Pending = {
        id,
        ids: [id],
        written: false,
        wireOp,
        args,
        opts,
        resolve: resolve as (v: unknown) => void,
        reject,
        deadline: Date.now() + opts.timeoutMs,
        unavailable: 0,
        timer: setTimeout(() => {
          this.settle(req);
          reject(rtmError(opts.op, ErrorCode.TIMEOUT, `no answer within ${opts.timeoutMs} ms`, false));
        }, opts.timeoutMs),
      };
      this.pending.set(id, req);
    });
  }

  /** Writes every request not yet on a live socket (and ready). */
  flush(socket: WireSocket): void {
    for (const req of this.requests()) if (!req.socket && isReady(req)) this.write(req, socket);
  }

  /** [Frame.RES, id, code, data]: true when it answered a pending request. */
  handleResponse(id: unknown, code: unknown, data: unknown): boolean {
    const req = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!req) {
      this.log.debug(`response to unknown request ${String(id)}`);
      return false;
    }
    if (code === ErrorCode.UNAVAILABLE && this.retryLater(req, data)) return true;
    this.settle(req);
    if (code === ErrorCode.OK) req.resolve(data);
    else {
      const message = typeof data === 'object' && data !== null ? (data as { message?: unknown }).message : undefined;
      req.reject(rtmError(req.opts.op, typeof code === 'number' ? code : ErrorCode.UNKNOWN, typeof message === 'string' ? message : undefined));
    }
    return true;
  }

  /** The socket died: resendable requests on it wait for the next socket, the others fail. */
  socketGone(socket: WireSocket): void {
    for (const req of this.requests()) {
      if (req.socket !== socket) continue;
      if (req.opts.resendable) {
        req.socket = undefined;
        clearTimeout(req.attemptTimer);
      } else {
        this.settle(req);
        req.reject(rtmError(req.opts.op, ErrorCode.TIMEOUT, 'connection lost before the answer', false));
      }
    }
  }

  rejectAll(errorFor: (op: Operation) => RtmError): void {
    for (const req of this.requests()) {
      this.settle(req);
      req.reject(errorFor(req.opts.op));
    }
  }

  /** Each pending request once, oldest first. */
  private requests(): Pending[] {
    return [...new Set(this.pending.values())];
  }

  private write(req: Pending, socket: WireSocket): void {
    if (req.written) {
      // A rewrite gets a fresh request id (ids stay unique per socket); answers to older ids still count.
      req.id = this.allocateId();
      req.ids.push(req.id);
      this.pending.set(req.id, req);
    }
    try {
      socket.send(req.opts.traceparent ? [Frame.REQ, req.id, req.wireOp, req.args, req.opts.traceparent] : [Frame.REQ, req.id, req.wireOp, req.args]);
    } catch (err) {
      if (!(err instanceof FrameTooBigError)) throw err;
      this.settle(req);
      req.reject(rtmError(req.opts.op, ErrorCode.SIZE_OVERFLOW, err.message, false));
      return;
    }
    req.written = true;
    req.socket = socket;
    const { attemptMs } = req.opts;
    if (attemptMs !== undefined && req.opts.resendable) {
      clearTimeout(req.attemptTimer);
      req.attemptTimer = setTimeout(() => this.attemptExpired(req), attemptMs);
    }
  }

  /**
   * An UNAVAILABLE answer to a request that retries them: written again (on the socket current
   * then) after a pause that ends before its deadline; false when it does not retry.
   */
  private retryLater(req: Pending, data: unknown): boolean {
    if (!req.opts.retryUnavailable || !req.opts.resendable) return false;
    const retryAfterMs = typeof data === 'object' && data !== null ? (data as { retryAfterMs?: unknown }).retryAfterMs : undefined;
    const backoff = Math.min(UNAVAILABLE_PAUSE_MS * 2 ** req.unavailable, UNAVAILABLE_PAUSE_MAX_MS);
    const pause = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : backoff;
    if (Date.now() + pause >= req.deadline) return false;
    req.unavailable++;
    this.log.debug(`request ${req.id}: the server is briefly unavailable; sending it again in ${pause} ms`);
    clearTimeout(req.attemptTimer);
    // Still counted as on its socket: a flush meanwhile does not write it early; a lost socket clears the timer.
    req.attemptTimer = setTimeout(() => this.attemptExpired(req), pause);
    return true;
  }

  /** No answer within attemptMs: write the request again on the current socket, if any. */
  private attemptExpired(req: Pending): void {
    if (this.pending.get(req.id) !== req) return; // settled meanwhile
    req.socket = undefined;
    const socket = this.current();
    if (!socket || socket.isClosed || !isReady(req)) return; // written again by a later flush
    this.log.debug(`no answer to request ${req.id} within ${req.opts.attemptMs} ms: sending it again`);
    this.write(req, socket);
  }

  private settle(req: Pending): void {
    clearTimeout(req.timer);
    clearTimeout(req.attemptTimer);
    for (const id of req.ids) if (this.pending.get(id) === req) this.pending.delete(id);
  }
}

/** The pause before a request answered UNAVAILABLE goes again, when the answer names none (doubling per retry). */
const UNAVAILABLE_PAUSE_MS = 300;
const UNAVAILABLE_PAUSE_MAX_MS = 2000;

function isReady(req: Pending): boolean {
  return req.opts.ready?.() ?? true;
}
