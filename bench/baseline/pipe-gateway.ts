import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createCodec, ErrorCode, Evt, Frame, Op, PeerDelivery, PROTOCOL_VERSION, WS_PATH, type AppId, type Hello } from '@parley/contracts';
import { ChanMsgKind, configureSubjects, Subjects, UserMsgKind } from '@parley/contracts/internal';
import { connect, createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The baseline of `npm run bench -- compare`: a WebSocket + NATS pipe that speaks the wire frames of
 * the measured ops and does no product work (no auth, no database, no presence, no validation, no
 * limits, no timers). It routes like a Parley gateway — a NATS request on the receiver's user
 * subject, answered by the receiver's gateway after the client's ACK; a NATS publish on the channel
 * subject, fanned out locally with one encoding — and writes like one: the frames of one event-loop
 * turn leave as one WebSocket message per socket (BATCH), and requests share one reply inbox
 * with no timer or Error per request. That is transport, not product: a naive pipe (nats.js
 * request(), one write per frame) spends more CPU per message than Parley, and the ratio would
 * measure those tricks. So a Parley/pipe ratio is the price of everything Parley adds.
 *
 * Environment: NATS_URL, PARLEY_SUBJECT_PREFIX, PORT (0: any), GATEWAY_ID, PIPE_COALESCE=0 (one
 * write per frame, to see what the batching is worth). Prints {"msg":"ready","port":N}.
 */
const codec = createCodec();
const ACKED = codec.encode({ r: 1 });
const NOT_ACKED = codec.encode({ r: 0 });
const PEER_TIMEOUT_MS = 6_000;
const HEARTBEAT_MS = 2_000;
const MAX_FRAME_BYTES = 64 * 1024;

interface Conn {
  ws: WebSocket;
  /** Encoded frames of this event-loop turn, written by the next flush. */
  pending: Uint8Array[] | null;
  appId?: AppId;
  uid?: string;
  /** Pushed peer messages waiting for the client's ACK: ackId → the NATS request to answer. */
  acks: Map<number, Msg>;
  nextAck: number;
  channels?: Set<Channel>;
}

interface Channel {
  subject: string;
  sub: Subscription;
  members: Set<Conn>;
}

/** One subscription per user subject, held for the connection that logged in last. */
const users = new Map<string, { sub: Subscription; conn: Conn }>();
const channels = new Map<string, Channel>();
let nc: NatsConnection;
const coalesce = process.env['PIPE_COALESCE'] !== '0';
let dirty: Conn[] = [];
/** Requests in flight on the shared inbox: reply id → [answer, deadline]. */
const inbox = createInbox();
const replies = new Map<number, { answer: (msg: Msg | null) => void; deadline: number }>();
let nextReply = 0;

async function main(): Promise<void> {
  configureSubjects(process.env['PARLEY_SUBJECT_PREFIX'] ?? 'pipe');
  nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', name: 'bench-pipe', noAsyncTraces: true });
  nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) return; // what was in flight expires in the sweep below
      const id = Number(msg.subject.slice(inbox.length + 1));
      const pending = replies.get(id);
      if (!pending) return;
      replies.delete(id);
      pending.answer(msg.headers?.code === 503 ? null : msg); // 503: no gateway holds the user
    },
  });
  setInterval(() => {
    const now = Date.now();
    for (const [id, p] of replies) {
      if (p.deadline > now) break;
      replies.delete(id);
      p.answer(null);
    }
  }, 200).unref();
  const gw = process.env['GATEWAY_ID'] ?? `pipe-${process.pid}`;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(gw, ws));
  });
  server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
    const address = server.address();
    console.log(JSON.stringify({ msg: 'ready', port: typeof address === 'object' && address ? address.port : 0 }));
  });
  process.on('SIGTERM', () => {
    server.close();
    void nc.drain().finally(() => process.exit(0));
  });
}

function onConnection(gw: string, ws: WebSocket): void {
  const conn: Conn = { ws, pending: null, acks: new Map(), nextAck: 0 };
  const hello: Hello = { v: PROTOCOL_VERSION, gw, heartbeatMs: HEARTBEAT_MS, maxFrameBytes: MAX_FRAME_BYTES, serverTs: Date.now() };
  ws.send(codec.encode([Frame.HELLO, hello]));
  ws.on('message', (data: Buffer) => {
    const frame = codec.decode(data) as unknown[];
    if (frame[0] === Frame.BATCH) for (let i = 1; i < frame.length; i++) onFrame(conn, frame[i] as unknown[]);
    else onFrame(conn, frame);
  });
  ws.on('close', () => forget(conn));
  ws.on('error', () => undefined); // 'close' follows
}

function onFrame(conn: Conn, f: unknown[]): void {
  switch (f[0]) {
    case Frame.REQ:
      return onRequest(conn, f[1] as number, f[2] as number, f[3] as Record<string, unknown>);
    case Frame.ACK: {
      const msg = conn.acks.get(f[1] as number);
      if (!msg) return;
      conn.acks.delete(f[1] as number);
      msg.respond(ACKED);
      return;
    }
    case Frame.PING:
      return send(conn, [Frame.PONG, f[1]]);
    default:
      return;
  }
}

function onRequest(conn: Conn, id: number, op: number, args: Record<string, unknown>): void {
  switch (op) {
    case Op.LOGIN:
      return login(conn, id, args['appId'] as AppId, args['uid'] as string);
    case Op.LOGOUT:
      forget(conn);
      return send(conn, [Frame.RES, id, 0, null]);
    case Op.SEND_PEER:
      return sendPeer(conn, id, args);
    case Op.JOIN:
      return join(conn, id, args['ch'] as string);
    case Op.SEND_CHANNEL: {
      const ts = Date.now();
      nc.publish(
        Subjects.channelMessages(conn.appId!, args['ch'] as string),
        codec.encode([ChanMsgKind.MESSAGE, { from: conn.uid, id: args['id'], m: args['m'], ts }]),
      );
      return send(conn, [Frame.RES, id, 0, { ts }]);
    }
    default:
      return send(conn, [Frame.RES, id, ErrorCode.UNSUPPORTED_OP, { message: 'not in the pipe' }]);
  }
}

function login(conn: Conn, id: number, appId: AppId, uid: string): void {
  conn.appId = appId;
  conn.uid = uid;
  const subject = Subjects.user(appId, uid);
  const user = users.get(subject);
  if (user) user.conn = conn;
  else users.set(subject, { sub: subscribeUser(subject), conn });
  send(conn, [Frame.RES, id, 0, { sessionId: `${uid}-${id}`, serverTs: Date.now(), tokenExpiresAt: 0 }]);
}

/** A peer message for a user held here: pushed with an ackId; the NATS request is answered at the ACK. */
function subscribeUser(subject: string): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const target = users.get(subject)?.conn;
      const [kind, event] = codec.decode(msg.data) as [number, unknown];
      if (kind !== UserMsgKind.PEER_MESSAGE || !target || target.ws.readyState !== target.ws.OPEN) return void msg.respond(NOT_ACKED);
      const ackId = ++target.nextAck;
      target.acks.set(ackId, msg);
      send(target, [Frame.EVT, Evt.PEER_MESSAGE, event, ackId]);
    },
  });
}

function sendPeer(conn: Conn, id: number, args: Record<string, unknown>): void {
  const ts = Date.now();
  const event = { from: conn.uid, id: args['id'], m: args['m'], ts };
  const reply = ++nextReply;
  replies.set(reply, {
    deadline: ts + PEER_TIMEOUT_MS,
    // null: no gateway holds the user, or it did not answer in time
    answer: (msg) => {
      const received = msg !== null && (codec.decode(msg.data) as { r: number }).r === 1;
      send(conn, [Frame.RES, id, 0, { d: received ? PeerDelivery.RECEIVED : PeerDelivery.PEER_UNREACHABLE, ts }]);
    },
  });
  nc.publish(Subjects.user(conn.appId!, args['to'] as string), codec.encode([UserMsgKind.PEER_MESSAGE, event]), { reply: `${inbox}.${reply}` });
}

function join(conn: Conn, id: number, ch: string): void {
  const subject = Subjects.channelMessages(conn.appId!, ch);
  let channel = channels.get(subject);
  if (!channel) {
    const members = new Set<Conn>();
    const sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        const [kind, body] = codec.decode(msg.data) as [number, { from: string }];
        if (kind !== ChanMsgKind.MESSAGE) return;
        const frame = codec.encode([Frame.EVT, Evt.CHANNEL_MESSAGE, { ...body, ch }]); // one encoding for every member
        for (const m of members) if (m.uid !== body.from) write(m, frame);
      },
    });
    channels.set(subject, (channel = { subject, sub, members }));
  }
  channel.members.add(conn);
  (conn.channels ??= new Set()).add(channel);
  send(conn, [Frame.RES, id, 0, { count: channel.members.size, ts: Date.now() }]);
}

function forget(conn: Conn): void {
  for (const msg of conn.acks.values()) msg.respond(NOT_ACKED);
  conn.acks.clear();
  if (conn.appId !== undefined && conn.uid !== undefined) {
    const subject = Subjects.user(conn.appId, conn.uid);
    const user = users.get(subject);
    if (user?.conn === conn) {
      user.sub.unsubscribe();
      users.delete(subject);
    }
  }
  for (const channel of conn.channels ?? []) {
    channel.members.delete(conn);
    if (channel.members.size === 0) {
      channel.sub.unsubscribe();
      channels.delete(channel.subject);
    }
  }
  conn.channels = undefined;
}

function send(conn: Conn, frame: unknown[]): void {
  write(conn, codec.encode(frame));
}

function write(conn: Conn, bytes: Uint8Array): void {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  if (!coalesce) return conn.ws.send(bytes);
  if (conn.pending) return void conn.pending.push(bytes);
  conn.pending = [bytes];
  if (dirty.push(conn) === 1) setImmediate(flush);
}

function flush(): void {
  const conns = dirty;
  dirty = [];
  for (const conn of conns) {
    const parts = conn.pending!;
    conn.pending = null;
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(parts.length === 1 ? parts[0]! : batch(parts));
  }
}

/** [BATCH, ...frames] from frames already encoded: an array header, the BATCH tag, the frames' bytes as they are. */
function batch(parts: Uint8Array[]): Buffer {
  const n = parts.length + 1;
  const header = n < 16 ? [0x90 | n] : n <= 0xffff ? [0xdc, n >> 8, n & 0xff] : [0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Uint8Array.from([...header, Frame.BATCH]), ...parts]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
