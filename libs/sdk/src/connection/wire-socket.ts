import { CloseCode, Frame, PROTOCOL_VERSION, createCodec, type Hello } from '@parley/contracts';
import type { Logger } from '../logger';
import { Heartbeat } from './heartbeat';
import { toBytes, type WebSocketConstructor, type WebSocketLike } from './transport';

export type WireFrame = unknown[];

/** Raised by WireSocket.send when a frame exceeds the gateway's HELLO.maxFrameBytes. */
export class FrameTooBigError extends Error {
  constructor(
    readonly bytes: number,
    readonly max: number,
  ) {
    super(`frame of ${bytes} bytes exceeds the server limit of ${max} bytes`);
  }
}

/** A failed connect attempt (open/HELLO failure or timeout, closed socket, abort): worth a retry. */
export class SocketFailure extends Error {}

const noop = (): void => undefined;

/**
 * One WebSocket to a gateway speaking the Parley wire protocol: MessagePack framing, BATCH
 * unpacking, HELLO, PING/PONG and the heartbeat. It reports each other frame to `onFrame`, and
 * the loss of the link (remote close, error, heartbeat timeout) once to `onClose`. `close()` is the
 * local, silent end.
 */
export class WireSocket {
  onFrame: (frame: WireFrame) => void = noop;
  onClose: (why: string) => void = noop;
  private closed = false;
  private heartbeat?: Heartbeat;
  private held?: { frames: WireFrame[]; closed?: string };
  private readonly codec = createCodec();

  private constructor(
    private readonly ws: WebSocketLike,
    readonly url: string,
    private readonly log: Logger,
  ) {}

  hello!: Hello;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a socket and waits for the gateway's HELLO. Rejects with SocketFailure. */
  static connect(
    Ctor: WebSocketConstructor,
    url: string,
    opts: { openTimeoutMs: number; helloTimeoutMs: number; signal: AbortSignal },
    log: Logger,
  ): Promise<WireSocket> {
    return new Promise<WireSocket>((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new Ctor(url);
        ws.binaryType = 'arraybuffer';
      } catch (err) {
        return reject(new SocketFailure(`cannot open ${url}: ${(err as Error).message}`));
      }
      const sock = new WireSocket(ws, url, log);
      let settled = false;
      let timer = setTimeout(() => fail('open timeout'), opts.openTimeoutMs);
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        sock.close(CloseCode.NORMAL);
        reject(new SocketFailure(`${url}: ${why}`));
      };
      const onAbort = (): void => fail('aborted');
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort);
      ws.onopen = () => {
        clearTimeout(timer);
        if (!settled) timer = setTimeout(() => fail('no HELLO'), opts.helloTimeoutMs);
      };
      ws.onerror = (ev) => fail(socketError(ev));
      ws.onclose = (ev) => fail(`closed (${ev?.code ?? '?'})`);
      ws.onmessage = (ev) => {
        const frame = sock.decode(ev.data);
        if (!frame || frame[0] !== Frame.HELLO || typeof frame[1] !== 'object' || frame[1] === null) {
          return fail('first frame is not HELLO');
        }
        const hello = frame[1] as Hello;
        if (hello.v !== PROTOCOL_VERSION) return fail(`protocol version ${hello.v}, expected ${PROTOCOL_VERSION}`);
        settled = true;
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        sock.start(hello);
        resolve(sock);
      };
    });
  }

  /** Encodes and writes one frame; a no-op once closed. Throws FrameTooBigError. */
  send(frame: WireFrame): void {
    if (this.closed) return;
    const bytes = this.codec.encode(frame);
    const max = this.hello?.maxFrameBytes;
    if (max && bytes.byteLength > max) throw new FrameTooBigError(bytes.byteLength, max);
    try {
      this.ws.send(bytes);
      this.heartbeat?.sent();
    } catch (err) {
      this.log.warn('socket send failed', err);
      this.lost('send failed');
    }
  }

  /** Buffers frames and the close notice until attach() (no frame of a BATCH gets lost in between). */
  hold(): void {
    const held: { frames: WireFrame[]; closed?: string } = { frames: [] };
    this.onFrame = (frame) => held.frames.push(frame);
    this.onClose = (why) => (held.closed = why);
    this.held = held;
  }

  /** Installs the handlers and replays what arrived while held. */
  attach(onFrame: (frame: WireFrame) => void, onClose: (why: string) => void): void {
    const held = this.held;
    this.held = undefined;
    if (held?.closed === undefined && this.closed) return;
    this.onFrame = onFrame;
    this.onClose = onClose;
    for (const frame of held?.frames ?? []) onFrame(frame);
    if (held?.closed !== undefined) onClose(held.closed);
  }

  /** Local end: closes the socket without calling onClose. */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.heartbeat?.stop();
    this.onFrame = noop;
    this.onClose = noop;
    // Handlers stay functions: some implementations (ws) throw on an 'error' nobody listens to.
    this.ws.onopen = noop;
    this.ws.onmessage = noop;
    this.ws.onclose = noop;
    this.ws.onerror = noop;
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  private start(hello: Hello): void {
    this.hello = hello;
    this.heartbeat = new Heartbeat(
      hello.heartbeatMs,
      (ts) => this.send([Frame.PING, ts]),
      () => {
        this.log.warn(`no data from ${this.url} for ${this.heartbeat?.deadAfterMs} ms`);
        this.lost('heartbeat timeout', CloseCode.HEARTBEAT_TIMEOUT);
      },
    );
    this.ws.onmessage = (ev) => this.receive(ev.data);
    this.ws.onerror = (ev) => this.lost(socketError(ev));
    this.ws.onclose = (ev) => this.lost(`closed by server (${ev?.code ?? '?'}${ev?.reason ? ` ${ev.reason}` : ''})`);
    this.heartbeat.start();
  }

  private lost(why: string, code: number = CloseCode.NORMAL): void {
    if (this.closed) return;
    const onClose = this.onClose;
    this.close(code, why.slice(0, 100));
    onClose(why);
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    this.heartbeat?.received();
    const frame = this.decode(data);
    if (!frame) return;
    if (frame[0] === Frame.BATCH) {
      for (const inner of frame.slice(1)) if (Array.isArray(inner)) this.dispatch(inner);
    } else {
      this.dispatch(frame);
    }
  }

  private dispatch(frame: WireFrame): void {
    if (this.closed) return;
    if (frame[0] === Frame.PING) this.send([Frame.PONG, frame[1]]);
    else if (frame[0] !== Frame.PONG) this.onFrame(frame);
  }

  private decode(data: unknown): WireFrame | undefined {
    const bytes = toBytes(data);
    if (!bytes) {
      this.log.warn('ignored a non-binary WebSocket message');
      return undefined;
    }
    try {
      const value = this.codec.decode(bytes);
      if (Array.isArray(value)) return value;
    } catch (err) {
      this.log.warn('ignored an undecodable frame', err);
      return undefined;
    }
    this.log.warn('ignored a frame that is not an array');
    return undefined;
  }
}

/** "socket error", with what the implementation says about it (Node's WebSockets give a message; a browser gives none). */
function socketError(ev: unknown): string {
  const event = ev as { message?: unknown; error?: { message?: unknown } } | null;
  const message = [event?.message, event?.error?.message].find((m): m is string => typeof m === 'string' && m !== '');
  return message === undefined ? 'socket error' : `socket error: ${message.slice(0, 200)}`;
}
