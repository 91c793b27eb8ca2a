/**
 * A minimal Parley gateway for SDK tests, speaking the wire protocol of libs/contracts over the
 * `ws` package: HELLO, LOGIN/LOGOUT/RENEW_TOKEN/QUERY_ONLINE/SEND_PEER and the channel ops
 * (JOIN/LEAVE/SEND_CHANNEL/GET_MEMBERS/MEMBER_COUNT, fanned out to the other members' connections),
 * user and channel attributes (CHANNEL_ATTRS pushed to members on notify), online-status
 * subscriptions (PEER_STATUS on setPeerState), call invitations (test/fake-invitations.ts), files and
 * images (test/fake-media.ts), user and channel metadata (test/fake-metadata.ts), message history
 * (test/fake-history.ts), with scriptable answers, PING/PONG, pushes (acknowledged ones too), drops, and socket kills.
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
  type AttributesMap,
  type ChannelAttrsDeleteArgs,
  type ChannelAttrsEvent,
  type ChannelAttrsGetArgs,
  type ChannelAttrsWriteArgs,
  type ChannelAttributesMap,
  type ChannelMessageEvent,
  type DropReason,
  type InvitationSnapshot,
  type JoinArgs,
  type LoginArgs,
  type PeerState,
  type PeerMessageEvent,
  type SendChannelArgs,
  type SendPeerArgs,
} from '@parley/contracts';
import { FakeHistory } from './fake-history';
import { FakeInvitations } from './fake-invitations';
import { FakeMedia } from './fake-media';
import { FakeMetadata } from './fake-metadata';

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

  /** Evt.INVITATION (always acknowledged, as the gateway sends it). */
  pushInvitation(snapshot: InvitationSnapshot, onAck?: () => void): number {
    return this.pushAcked(Evt.INVITATION, snapshot, onAck);
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
    [Op.SET_USER_ATTRS]: (conn, args: { attrs: AttributesMap }) => this.writeUserAttrs(conn, () => ({ ...args.attrs })),
    [Op.ADD_USER_ATTRS]: (conn, args: { attrs: AttributesMap }) => this.writeUserAttrs(conn, (old) => ({ ...old, ...args.attrs })),
    [Op.DELETE_USER_ATTRS]: (conn, args: { keys: string[] }) =>
      this.writeUserAttrs(conn, (old) => Object.fromEntries(Object.entries(old).filter(([k]) => !args.keys.includes(k)))),
    [Op.CLEAR_USER_ATTRS]: (conn) => this.writeUserAttrs(conn, () => ({})),
    [Op.GET_USER_ATTRS]: (_c, args: { uid: string; keys?: string[] }) => ({ code: ErrorCode.OK, data: pick(this.userAttrs.get(args.uid) ?? {}, args.keys) }),
    [Op.SET_CHANNEL_ATTRS]: (conn, args: ChannelAttrsWriteArgs) => this.writeChannelAttrs(conn, args, () => this.stamp(conn, args.attrs)),
    [Op.ADD_CHANNEL_ATTRS]: (conn, args: ChannelAttrsWriteArgs) => this.writeChannelAttrs(conn, args, (old) => ({ ...old, ...this.stamp(conn, args.attrs) })),
    [Op.DELETE_CHANNEL_ATTRS]: (conn, args: ChannelAttrsDeleteArgs) =>
      this.writeChannelAttrs(conn, args, (old) => Object.fromEntries(Object.entries(old).filter(([k]) => !args.keys.includes(k)))),
    [Op.CLEAR_CHANNEL_ATTRS]: (conn, args: { ch: string; notify?: boolean }) => this.writeChannelAttrs(conn, args, () => ({})),
    [Op.GET_CHANNEL_ATTRS]: (_c, args: ChannelAttrsGetArgs) => ({ code: ErrorCode.OK, data: pick(this.channelAttrs.get(args.ch) ?? {}, args.keys) }),
    [Op.SUBSCRIBE_STATUS]: (conn, args: { uids: string[] }) => {
      const set = this.subscriptionsOf(conn);
      for (const uid of args.uids) set.add(uid);
      return { code: ErrorCode.OK, data: args.uids.map((uid) => this.peerState(uid)) };
    },
    [Op.UNSUBSCRIBE_STATUS]: (conn, args: { uids: string[] }) => {
      const set = this.subscriptionsOf(conn);
      for (const uid of args.uids) set.delete(uid);
      return { code: ErrorCode.OK, data: null };
    },
    [Op.QUERY_SUBSCRIBED]: (conn) => ({ code: ErrorCode.OK, data: [...this.subscriptionsOf(conn)] }),
  };
  /** Call invitations: INVITE* handlers and Evt.INVITATION pushes. */
  readonly invitations = new FakeInvitations(this);
  /** Files and images: MEDIA_* handlers and an in-memory media store. */
  readonly media = new FakeMedia(this);
  /** User and channel metadata: *_METADATA handlers, USER_METADATA / CHANNEL_METADATA pushes. */
  readonly metadata = new FakeMetadata(this);
  /** Message history: messages sent with `hist`, GET_CHANNEL_HISTORY / GET_PEER_HISTORY pages. */
  readonly history = new FakeHistory(this);
  /** User attributes by uid (one per uid: the fake has no login instances). */
  readonly userAttrs = new Map<string, AttributesMap>();
  /** Channel attributes by channel id, and the `v` of the channel's last write. */
  readonly channelAttrs = new Map<string, ChannelAttributesMap>();
  readonly channelAttrsVersion = new Map<string, number>();
  /** Online-status subscriptions by connection. */
  readonly subscriptions = new Map<FakeConnection, Set<string>>();
  /** Peer states set by tests; otherwise ONLINE (0) when `online` has the uid, else OFFLINE (2). */
  readonly peerStates = new Map<string, PeerState>();
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
    if (args.hist) this.history.add({ from: conn.login?.uid ?? '', to: args.to, id: args.id, ts, m: args.m });
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
    if (args.hist) this.history.add({ ch: args.ch, from: evt.from, id: args.id, ts: evt.ts, m: args.m });
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

  subscriptionsOf(conn: FakeConnection): Set<string> {
    let set = this.subscriptions.get(conn);
    if (!set) this.subscriptions.set(conn, (set = new Set()));
    return set;
  }

  peerState(uid: string): PeerState {
    return this.peerStates.get(uid) ?? (this.online.has(uid) ? 0 : 2);
  }

  /** Sets a peer's state and (unless `silent`) pushes PEER_STATUS to every open connection subscribed to it. */
  setPeerState(uid: string, state: PeerState, silent = false): void {
    this.peerStates.set(uid, state);
    if (silent) return;
    for (const [conn, set] of this.subscriptions) if (!conn.closed && set.has(uid)) conn.push(Evt.PEER_STATUS, { [uid]: state });
  }

  private writeUserAttrs(conn: FakeConnection, next: (old: AttributesMap) => AttributesMap): Answer {
    const uid = conn.login?.uid ?? '';
    this.userAttrs.set(uid, next(this.userAttrs.get(uid) ?? {}));
    return { code: ErrorCode.OK, data: null };
  }

  /** A channel write; with `notify` the whole set goes to every open member connection (the writer's too). */
  private writeChannelAttrs(conn: FakeConnection, args: { ch: string; notify?: boolean }, next: (old: ChannelAttributesMap) => ChannelAttributesMap): Answer {
    const attrs = next(this.channelAttrs.get(args.ch) ?? {});
    const v = (this.channelAttrsVersion.get(args.ch) ?? 0) + 1;
    this.channelAttrs.set(args.ch, attrs);
    this.channelAttrsVersion.set(args.ch, v);
    if (args.notify) {
      const evt: ChannelAttrsEvent = { ch: args.ch, attrs, v };
      for (const c of this.members(args.ch)) if (!c.closed) c.push(Evt.CHANNEL_ATTRS, evt);
    }
    return { code: ErrorCode.OK, data: null };
  }

  private stamp(conn: FakeConnection, attrs: AttributesMap): ChannelAttributesMap {
    const lastUpdateTs = Date.now();
    const lastUpdateUserId = conn.login?.uid ?? '';
    return Object.fromEntries(Object.entries(attrs).map(([k, value]) => [k, { value, lastUpdateUserId, lastUpdateTs }]));
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
    ws.on('close', () => {
      this.media.connectionClosed(conn);
      this.notify();
    });
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

/** `map` restricted to `keys` (all of it without keys). */
function pick<T>(map: Record<string, T>, keys?: string[]): Record<string, T> {
  return keys ? Object.fromEntries(Object.entries(map).filter(([k]) => keys.includes(k))) : { ...map };
}

/** A URL where nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const gw = await FakeGateway.start();
  await gw.close();
  return gw.url;
}
