/**
 * A minimal Parley gateway for SDK tests, speaking the wire protocol of libs/contracts over the
 * `ws` package: HELLO, LOGIN/LOGOUT/RENEW_TOKEN/QUERY_ONLINE/SEND_PEER with scriptable answers,
 * PING/PONG, pushes (acknowledged ones too), drops, and socket kills.
 */
import { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ErrorCode,
  Evt,
  Frame,
  Op,
  PROTOCOL_VERSION,
  PeerDelivery,
  WS_PATH,
  createCodec,
  type DropReason,
  type LoginArgs,
  type PeerMessageEvent,
  type SendPeerArgs,
} from '@parley/contracts';

const codec = createCodec();

export interface Answer {
  code: number;
  data?: unknown;
}
/** Returns the answer, or undefined to never answer. `args` is whatever the client sent. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RequestHandler = (conn: FakeConnection, args: any, id: number) => Answer | undefined;

export class FakeConnection {
  readonly frames: unknown[][] = [];
  login?: LoginArgs;
  closed = false;
  private readonly ackWaiters = new Map<number, () => void>();
  private static lastAckId = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('close', () => (this.closed = true));
  }

  /** Pushes an acknowledged event with a fresh ackId; `onAck` runs when the client ACKs it. */
  pushAcked(evt: number, data: unknown, onAck?: () => void): number {
    const ackId = ++FakeConnection.lastAckId;
    if (onAck) this.ackWaiters.set(ackId, onAck);
    this.push(evt, data, ackId);
    return ackId;
  }

  /** Evt.PEER_MESSAGE (always acknowledged, as the gateway sends it). */
  pushPeerMessage(data: PeerMessageEvent, onAck?: () => void): number {
    return this.pushAcked(Evt.PEER_MESSAGE, data, onAck);
  }

  /** ackIds the client acknowledged, in order. */
  get acks(): number[] {
    return this.framesOf(Frame.ACK).map((f) => f[1] as number);
  }

  /** @internal */
  acked(ackId: unknown): void {
    const waiter = typeof ackId === 'number' ? this.ackWaiters.get(ackId) : undefined;
    this.ackWaiters.delete(ackId as number);
    waiter?.();
  }

  send(frame: unknown[]): void {
    if (!this.closed) this.ws.send(codec.encode(frame));
  }

  push(evt: number, data: unknown, ackId?: number): void {
    this.send(ackId === undefined ? [Frame.EVT, evt, data] : [Frame.EVT, evt, data, ackId]);
  }

  drop(reason: DropReason): void {
    this.push(Evt.DROP, { reason });
  }

  /** Abrupt loss (no close handshake). */
  kill(): void {
    this.ws.terminate();
  }

  framesOf(type: number): unknown[][] {
    return this.frames.filter((f) => f[0] === type);
  }

  requests(op: number): unknown[][] {
    return this.frames.filter((f) => f[0] === Frame.REQ && f[2] === op);
  }
}

export class FakeGateway {
  readonly connections: FakeConnection[] = [];
  heartbeatMs = 30_000;
  maxFrameBytes = 64 * 1024;
  /** Answer client PINGs with PONGs (the server does not have to; any frame counts as traffic). */
  answerPings = true;
  /** Send nothing at all (no HELLO either) when false. */
  sendHello = true;
  online = new Set<string>();
  readonly handlers: Partial<Record<number, RequestHandler>> = {
    [Op.LOGIN]: (conn, args: LoginArgs) => {
      conn.login = args;
      this.online.add(args.uid);
      return { code: ErrorCode.OK, data: { sessionId: `s${this.connections.length}`, serverTs: Date.now(), tokenExpiresAt: 0 } };
    },
    [Op.LOGOUT]: () => ({ code: ErrorCode.OK, data: null }),
    [Op.RENEW_TOKEN]: () => ({ code: ErrorCode.OK, data: { tokenExpiresAt: 0 } }),
    [Op.QUERY_ONLINE]: (_c, args: { uids: string[] }) => ({ code: ErrorCode.OK, data: args.uids.map((u) => this.online.has(u)) }),
    [Op.SEND_PEER]: (conn, args: SendPeerArgs, id) => this.routePeerMessage(conn, args, id),
  };
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {
    wss.on('connection', (ws) => this.accept(ws));
  }

  static async start(): Promise<FakeGateway> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: WS_PATH });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as AddressInfo;
    return new FakeGateway(wss, `ws://127.0.0.1:${port}`);
  }

  get last(): FakeConnection {
    return this.connections[this.connections.length - 1];
  }

  /** The newest open connection logged in as `uid`. */
  connectionOf(uid: string): FakeConnection | undefined {
    return [...this.connections].reverse().find((c) => !c.closed && c.login?.uid === uid);
  }

  /**
   * Default SEND_PEER: pushes the message to the peer's connection and answers RECEIVED once the
   * peer ACKs it; PEER_UNREACHABLE / CACHED_BY_SERVER (args.offline) when the peer has none.
   */
  routePeerMessage(conn: FakeConnection, args: SendPeerArgs, id: number): Answer | undefined {
    const ts = Date.now();
    const target = this.connectionOf(args.to);
    if (!target) {
      return { code: ErrorCode.OK, data: { d: args.offline ? PeerDelivery.CACHED_BY_SERVER : PeerDelivery.PEER_UNREACHABLE, ts } };
    }
    target.pushPeerMessage({ from: conn.login?.uid ?? '', id: args.id, m: args.m, ts }, () =>
      conn.send([Frame.RES, id, ErrorCode.OK, { d: PeerDelivery.RECEIVED, ts }]),
    );
    return undefined;
  }

  get logins(): LoginArgs[] {
    return this.connections.flatMap((c) => (c.login ? [c.login] : []));
  }

  /** Resolves when `predicate` holds (checked on every frame and connection), or rejects after `ms`. */
  until(predicate: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`fake gateway: timed out waiting for ${what}`));
      }, ms);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private accept(ws: WebSocket): void {
    const conn = new FakeConnection(ws);
    this.connections.push(conn);
    ws.on('message', (data: Buffer) => {
      const frame = codec.decode(data) as unknown[];
      conn.frames.push(frame);
      this.handle(conn, frame);
      this.notify();
    });
    ws.on('close', () => this.notify());
    if (this.sendHello) {
      conn.send([Frame.HELLO, { v: PROTOCOL_VERSION, gw: 'fake', heartbeatMs: this.heartbeatMs, maxFrameBytes: this.maxFrameBytes, serverTs: Date.now() }]);
    }
    this.notify();
  }

  private handle(conn: FakeConnection, frame: unknown[]): void {
    if (frame[0] === Frame.PING && this.answerPings) conn.send([Frame.PONG, frame[1]]);
    if (frame[0] === Frame.ACK) conn.acked(frame[1]);
    if (frame[0] !== Frame.REQ) return;
    const [, id, op, args] = frame as [number, number, number, unknown];
    const handler = this.handlers[op];
    const answer = handler ? handler(conn, args, id) : { code: ErrorCode.UNSUPPORTED_OP, data: { message: 'unsupported' } };
    if (answer) conn.send([Frame.RES, id, answer.code, answer.data ?? null]);
  }
}

/** A URL where nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const gw = await FakeGateway.start();
  await gw.close();
  return gw.url;
}
