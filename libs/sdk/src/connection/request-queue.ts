import { ErrorCode, Frame, type Op } from '@parley/contracts';
import { rtmError, type Operation, type RtmError } from '../errors';
import type { Logger } from '../logger';
import { FrameTooBigError, type WireSocket } from './wire-socket';

export interface RequestOptions {
  /** Error table (spec §6.1) that server codes and timeouts are mapped with. */
  op: Operation;
  /** Overall deadline, across reconnects. */
  timeoutMs: number;
  /**
   * Safe to send again on a new socket when the old one died before the answer came (idempotent,
   * or deduplicated by the server). Otherwise the call fails at once with the op's TIMEOUT error.
   */
  resendable: boolean;
}

interface Pending {
  id: number;
  wireOp: Op;
  args: unknown;
  opts: RequestOptions;
  resolve(value: unknown): void;
  reject(err: RtmError): void;
  timer: ReturnType<typeof setTimeout>;
  /** Socket the request was last written on; undefined = (re)send on the next usable socket. */
  socket?: WireSocket;
}

/**
 * Requests of one client. They outlive sockets: a request is written on the current socket when
 * the session is CONNECTED, otherwise (or again, when resendable) after the next (re)login.
 */
export class RequestQueue {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.pending.size;
  }

  /** Request ids are unique per client, hence per socket. */
  allocateId(): number {
    this.lastId = this.lastId >= 0x7fffffff ? 1 : this.lastId + 1;
    return this.lastId;
  }

  add<T>(wireOp: Op, args: unknown, opts: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.allocateId();
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(rtmError(opts.op, ErrorCode.TIMEOUT, `no answer within ${opts.timeoutMs} ms`, false));
      }, opts.timeoutMs);
      this.pending.set(id, { id, wireOp, args, opts, resolve: resolve as (v: unknown) => void, reject, timer });
    });
  }

  /** Writes every request not yet on a live socket. */
  flush(socket: WireSocket): void {
    for (const req of this.pending.values()) {
      if (req.socket) continue;
      try {
        socket.send([Frame.REQ, req.id, req.wireOp, req.args]);
        req.socket = socket;
      } catch (err) {
        if (!(err instanceof FrameTooBigError)) throw err;
        this.settle(req.id)?.reject(rtmError(req.opts.op, ErrorCode.SIZE_OVERFLOW, err.message, false));
      }
    }
  }

  /** [Frame.RES, id, code, data]: true when it answered a pending request. */
  handleResponse(id: unknown, code: unknown, data: unknown): boolean {
    const req = typeof id === 'number' ? this.settle(id) : undefined;
    if (!req) {
      this.log.debug(`response to unknown request ${String(id)}`);
      return false;
    }
    if (code === ErrorCode.OK) req.resolve(data);
    else {
      const message = typeof data === 'object' && data !== null ? (data as { message?: unknown }).message : undefined;
      req.reject(rtmError(req.opts.op, typeof code === 'number' ? code : ErrorCode.UNKNOWN, typeof message === 'string' ? message : undefined));
    }
    return true;
  }

  /** The socket died: resendable requests on it wait for the next socket, the others fail. */
  socketGone(socket: WireSocket): void {
    for (const req of [...this.pending.values()]) {
      if (req.socket !== socket) continue;
      if (req.opts.resendable) req.socket = undefined;
      else this.settle(req.id)?.reject(rtmError(req.opts.op, ErrorCode.TIMEOUT, 'connection lost before the answer', false));
    }
  }

  rejectAll(errorFor: (op: Operation) => RtmError): void {
    for (const id of [...this.pending.keys()]) {
      const req = this.settle(id);
      req?.reject(errorFor(req.opts.op));
    }
  }

  private settle(id: number): Pending | undefined {
    const req = this.pending.get(id);
    if (!req) return undefined;
    clearTimeout(req.timer);
    this.pending.delete(id);
    return req;
  }
}
