/**
 * A minimal Parley gateway for SDK tests, speaking the wire protocol of libs/contracts over the
 * `ws` package: HELLO, LOGIN/LOGOUT/RENEW_TOKEN/QUERY_ONLINE/SEND_PEER and the channel ops
 * (JOIN/LEAVE/SEND_CHANNEL/GET_MEMBERS/MEMBER_COUNT, fanned out to the other members' connections)
 * with scriptable answers, PING/PONG, pushes (acknowledged ones too), drops, and socket kills.
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
  type ChannelMessageEvent,
  type DropReason,
  type JoinArgs,
  type LoginArgs,
  type PeerMessageEvent,
  type SendChannelArgs,
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

  /** Evt.CHANNEL_MESSAGE (never acknowledged). */
  pushChannelMessage(data: ChannelMessageEvent): void {
    this.push(Evt.CHANNEL_MESSAGE, data);
  }

  /** Args of the requests of `op` this connection sent, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  argsOf<T = any>(op: number): T[] {
    return this.requests(op).map((f) => f[3] as T);
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
    [Op.LOGOUT]: (conn) => {
      for (const ch of this.channels.keys()) this.removeMember(ch, conn);
      return { code: ErrorCode.OK, data: null };
    },
    [Op.RENEW_TOKEN]: () => ({ code: ErrorCode.OK, data: { tokenExpiresAt: 0 } }),
    [Op.QUERY_ONLINE]: (_c, args: { uids: string[] }) => ({ code: ErrorCode.OK, data: args.uids.map((u) => this.online.has(u)) }),
    [Op.SEND_PEER]: (conn, args: SendPeerArgs, id) => this.routePeerMessage(conn, args, id),
    [Op.JOIN]: (conn, args: JoinArgs) => this.joinChannel(conn, args),
    [Op.LEAVE]: (conn, args: { ch: string }) =>
      this.removeMember(args.ch, conn) ? { code: ErrorCode.OK, data: null } : { code: ErrorCode.NOT_IN_CHANNEL, data: { message: 'not in channel' } },
    [Op.SEND_CHANNEL]: (conn, args: SendChannelArgs) => this.routeChannelMessage(conn, args),
    [Op.GET_MEMBERS]: (conn, args: { ch: string }) =>
      this.members(args.ch).has(conn)
        ? { code: ErrorCode.OK, data: this.memberUids(args.ch) }
        : { code: ErrorCode.NOT_IN_CHANNEL, data: { message: 'not in channel' } },
    [Op.MEMBER_COUNT]: (_c, args: { chs: string[] }) => ({ code: ErrorCode.OK, data: args.chs.map((ch) => this.memberUids(ch).length) }),
  };
  /**
   * Channel members by channel id. A killed connection stays a member (the real gateway keeps a
   * session for the reconnect window) until its uid joins again from a new connection or leaves.
   */
  readonly channels = new Map<string, Set<FakeConnection>>();
  /** Every channel message routed by the fake, per channel: replayed to a rejoin (`since`). */
  readonly channelHistory = new Map<string, ChannelMessageEvent[]>();
  /** Replayed messages carry `lost: true` and the rejoin answers `recovered: false`. */
  recoveryLost = false;
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

  members(ch: string): Set<FakeConnection> {
    let set = this.channels.get(ch);
    if (!set) this.channels.set(ch, (set = new Set()));
    return set;
  }

  /** Distinct uids of a channel's members. */
  memberUids(ch: string): string[] {
    return [...new Set([...this.members(ch)].map((c) => c.login?.uid ?? ''))];
  }

  /**
   * Default JOIN: a member already → ALREADY_JOINED (a plain join) or OK (a rejoin with `since`).
   * The uid's older connection (killed, or the drained gateway's) is replaced without MemberJoined,
   * and a rejoin gets the messages after `since` (minus `seen`, minus its own) pushed with
   * `rec: true` before the answer. Otherwise MemberJoined goes to the other members.
   */
  joinChannel(conn: FakeConnection, args: JoinArgs): Answer {
    const uid = conn.login?.uid ?? '';
    const members = this.members(args.ch);
    const rejoin = args.since !== undefined;
    if (members.has(conn)) return rejoin ? { code: ErrorCode.OK, data: { count: this.memberUids(args.ch).length } } : { code: ErrorCode.ALREADY_JOINED };
    const previous = [...members].filter((c) => c.login?.uid === uid);
    for (const c of previous) members.delete(c);
    members.add(conn);
    if (previous.length === 0) this.toMembers(args.ch, conn, Evt.MEMBER_JOINED, { ch: args.ch, uid });
    if (rejoin && previous.length > 0) {
      const since = args.since ?? 0;
      const seen = new Set(args.seen ?? []);
      for (const m of this.channelHistory.get(args.ch) ?? []) {
        if (m.from === uid || m.ts < since || (m.ts === since && seen.has(m.id))) continue;
        conn.pushChannelMessage({ ...m, rec: true, ...(this.recoveryLost ? { lost: true } : {}) });
      }
    }
    const data: { count: number; recovered?: boolean } = { count: this.memberUids(args.ch).length };
    if (rejoin) data.recovered = !this.recoveryLost;
    return { code: ErrorCode.OK, data };
  }

  /** Removes a member (MemberLeft to the others); false when it was none. */
  removeMember(ch: string, conn: FakeConnection): boolean {
    if (!this.members(ch).delete(conn)) return false;
    this.toMembers(ch, conn, Evt.MEMBER_LEFT, { ch, uid: conn.login?.uid ?? '' });
    return true;
  }

  /** Default SEND_CHANNEL: pushes to every other open member connection, answers `{ts}`. */
  routeChannelMessage(conn: FakeConnection, args: SendChannelArgs): Answer {
    if (!this.members(args.ch).has(conn)) return { code: ErrorCode.NOT_IN_CHANNEL, data: { message: 'not in channel' } };
    const evt: ChannelMessageEvent = { ch: args.ch, from: conn.login?.uid ?? '', id: args.id, m: args.m, ts: Date.now() };
    const history = this.channelHistory.get(args.ch) ?? [];
    history.push(evt);
    this.channelHistory.set(args.ch, history);
    this.toMembers(args.ch, conn, Evt.CHANNEL_MESSAGE, evt);
    return { code: ErrorCode.OK, data: { ts: evt.ts } };
  }

  /** Pushes to every open member connection of `ch` but `except`'s uid. */
  toMembers(ch: string, except: FakeConnection, evt: number, data: unknown): void {
    for (const c of this.members(ch)) if (!c.closed && c.login?.uid !== except.login?.uid) c.push(evt, data);
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
