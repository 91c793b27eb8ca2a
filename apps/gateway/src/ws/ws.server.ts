import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import {
  CloseCode,
  createCodec,
  createFrameDecoder,
  peekRequestId,
  ErrorCode,
  Evt,
  Frame,
  Op,
  opName,
  PROTOCOL_VERSION,
  WS_PATH,
  type Hello,
} from '@parley/contracts';
import { toParleyError } from '@parley/platform';
import { clientTraceContext, isTracingEnabled, SpanKind, withSpan } from '@parley/platform/telemetry';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { countRequest } from '../metrics/gateway.metrics';
import { PresenceClient } from '../clients/presence.client';
import { SessionsService } from '../sessions/sessions.service';
import { Connection } from '../transport/connection';
import { OutboundQueue } from '../transport/outbound-queue';
import { sendBinary } from '../transport/ws-frame';
import { heartbeatInterval } from './heartbeat-interval';
import { WsRouter } from './ws.router';

const decoder = createFrameDecoder();
const helloCodec = createCodec();
const TICK_MS = 1_000;
/** What a client over REQUESTS_IN_FLIGHT_MAX is told to wait before it asks again. */
const IN_FLIGHT_RETRY_MS = 100;

/** The SDK's WebSocket endpoint (docs/protocol.md): framing, heartbeats, dispatch, shutdown. */
@Injectable()
export class WsServer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WsServer.name);
  private readonly connections = new Set<Connection>();
  /** Open sockets that never logged in (capped: UNAUTHENTICATED_MAX). */
  private unauthenticated = 0;
  private wss?: WebSocketServer;
  private timers: NodeJS.Timeout[] = [];
  /** The sweep of connections and sessions (logins overdue, silent clients, acks, tokens): runs only while there are any. */
  private ticker?: NodeJS.Timeout;
  private accepting = true;
  private lastTick = Date.now();
  /** Pings per second the open connections send when idle (Σ 1000 / their heartbeatMs): heartbeatInterval's budget. */
  private pingRate = 0;

  constructor(
    private readonly router: WsRouter,
    private readonly sessions: SessionsService,
    private readonly presence: PresenceClient,
    private readonly outbound: OutboundQueue,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  attach(server: Server): void {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (!this.accepting || path !== WS_PATH) {
        socket.end(`HTTP/1.1 ${this.accepting ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\n\r\n`);
        return;
      }
      if (this.unauthenticated >= this.config.UNAUTHENTICATED_MAX) {
        // Sockets that hold no session cost memory and prove nothing: refuse more, the SDK retries.
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n');
        return;
      }
      // The 101 answer and the HELLO leave in one write (ws answers and calls back synchronously).
      socket.cork();
      try {
        this.wss!.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
      } finally {
        socket.uncork();
      }
    });
    const heartbeat = () => this.presence.heartbeat(this.sessions.sessions.size);
    heartbeat();
    this.timers.push(setInterval(heartbeat, this.config.GATEWAY_HEARTBEAT_MS).unref());
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private onConnection(ws: WebSocket): void {
    const conn = new Connection(ws, this.outbound);
    this.connections.add(conn);
    if (!this.ticker) {
      this.lastTick = Date.now();
      this.ticker = setInterval(() => this.tick(), TICK_MS).unref();
    }
    this.unauthenticated++;
    conn.heartbeatMs = heartbeatInterval(this.pingRate, this.config);
    this.pingRate += 1000 / conn.heartbeatMs;
    const hello: Hello = {
      v: PROTOCOL_VERSION,
      gw: this.config.GATEWAY_ID,
      heartbeatMs: conn.heartbeatMs,
      maxFrameBytes: this.config.MAX_FRAME_BYTES,
      serverTs: Date.now(),
    };
    sendBinary(ws, helloCodec.encode([Frame.HELLO, hello]));
    // Text messages are not part of the protocol (docs/protocol.md §2): ignored, unread.
    ws.on('message', (data: RawData, isBinary: boolean) => isBinary && this.onMessage(conn, data as Buffer));
    ws.on('close', () => this.onClose(conn));
    ws.on('error', (err) => this.logger.debug(`socket error: ${err.message}`));
  }

  private onClose(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.pingRate -= 1000 / conn.heartbeatMs;
    if (!conn.authenticated) this.unauthenticated--;
    conn.dispose();
    this.sessions.onConnectionClosed(conn);
  }

  private onMessage(conn: Connection, data: Buffer): void {
    conn.lastSeen = Date.now();
    // Refused bytes (not MessagePack, extensions, nested too deep): a request recognisable by its
    // first bytes gets INVALID_ARGUMENT, anything else is ignored; the connection lives on.
    const frame = decoder.decode(data);
    if (frame === undefined) {
      const id = peekRequestId(data, Frame.REQ);
      if (id > 0) conn.fail(id, ErrorCode.INVALID_ARGUMENT, 'frame refused: not plain MessagePack, or nested too deep');
      return;
    }
    if (!Array.isArray(frame)) return;
    if (frame[0] === Frame.BATCH) {
      for (let i = 1; i < frame.length; i++) if (Array.isArray(frame[i])) this.onFrame(conn, frame[i] as unknown[]);
    } else {
      this.onFrame(conn, frame);
    }
  }

  private onFrame(conn: Connection, frame: unknown[]): void {
    switch (frame[0]) {
      case Frame.REQ:
        this.onRequest(conn, frame[1], frame[2], frame[3], frame[4]);
        return;
      case Frame.PING:
        // Only a number is echoed: nothing a client sent is encoded again unchecked.
        conn.send(typeof frame[1] === 'number' ? [Frame.PONG, frame[1]] : [Frame.PONG]);
        return;
      case Frame.ACK:
        conn.onAck(frame[1]);
        return;
      default:
        // PONG only refreshes lastSeen.
        return;
    }
  }

  private onRequest(conn: Connection, id: unknown, op: unknown, rawArgs: unknown, traceparent?: unknown): void {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return;
    if (!this.router.isOp(op)) return conn.fail(id, ErrorCode.UNSUPPORTED_OP, 'unknown op');
    // Before a login nothing but LOGIN reaches a handler.
    if (!conn.session && op !== Op.LOGIN) return conn.fail(id, ErrorCode.NOT_LOGGED_IN, 'log in first');
    const parsed = this.router.parse(op, rawArgs);
    if (!parsed.ok) {
      countRequest(op, parsed.code);
      return conn.fail(id, parsed.code, parsed.message);
    }
    if (conn.inFlight >= this.config.REQUESTS_IN_FLIGHT_MAX) {
      countRequest(op, ErrorCode.TOO_OFTEN);
      return conn.fail(id, ErrorCode.TOO_OFTEN, `at most ${this.config.REQUESTS_IN_FLIGHT_MAX} requests waiting for an answer`, IN_FLIGHT_RETRY_MS);
    }
    conn.inFlight++;
    const answered = (result: unknown) => {
      conn.inFlight--;
      countRequest(op, ErrorCode.OK);
      if (op === Op.LOGIN && !conn.authenticated) {
        conn.authenticated = true;
        this.unauthenticated--;
      }
      conn.reply(id, result ?? null);
    };
    const failed = (err: unknown) => {
      conn.inFlight--;
      const typed = toParleyError(err);
      countRequest(op, typed.code);
      if (typed.code === ErrorCode.UNKNOWN) this.logger.error(`op ${opName(op)} failed: ${(err as Error)?.stack ?? String(err)}`);
      conn.fail(id, typed.code, typed.message, typed.retryAfterMs);
    };
    if (isTracingEnabled()) {
      const run = async () => this.router.dispatch(conn, op, parsed.args);
      void withSpan(`ws ${opName(op)}`, SpanKind.SERVER, { 'rpc.system': 'parley-ws', 'rpc.method': opName(op) }, run, clientTraceContext(traceparent)).then(
        answered,
        failed,
      );
      return;
    }
    // No async wrapper around the handler: a Promise it returns is answered from directly (the peer
    // message path makes one Promise per request, not three); anything else one microtask later,
    // as a Promise's value would be, and a throw the same way.
    let result: unknown;
    try {
      result = this.router.dispatch(conn, op, parsed.args);
    } catch (err) {
      void Promise.reject(err).catch(failed);
      return;
    }
    void (result instanceof Promise ? result : Promise.resolve(result)).then(answered, failed);
  }

  private tick(): void {
    const now = Date.now();
    // A tick that comes late means this process stalled, not its clients: their pings wait unread
    // behind this timer, so nobody is cut off for silence until the reads have caught up.
    const stalled = now - this.lastTick > 2 * TICK_MS;
    this.lastTick = now;
    for (const conn of this.connections) {
      if (!conn.session && !conn.authenticated && now - conn.openedAt > this.config.LOGIN_TIMEOUT_MS) {
        conn.close(CloseCode.LOGIN_TIMEOUT, 'no login in time');
        this.onClose(conn);
      } else if (!stalled && now - conn.lastSeen > 2 * conn.heartbeatMs + 1_000) {
        this.logger.debug({ msg: 'heartbeat timeout', uid: conn.session?.uid });
        conn.terminate();
        this.onClose(conn);
      } else {
        conn.expireAcks(now);
      }
    }
    this.sessions.tick(now);
    // An idle gateway (no socket, no session waiting for its client) sleeps: the next connection starts the ticks again.
    if (this.connections.size === 0 && this.sessions.sessions.size === 0) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /**
   * Graceful drain: stop accepting, ask every logged-in client to move (Evt.RECONNECT: the SDK logs in
   * on another gateway while this socket still works, which ends the session here as REPLACED), wait
   * up to DRAIN_TIMEOUT_MS for them, then end what is left and close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.accepting = false;
    for (const conn of this.connections) if (conn.session) conn.event(Evt.RECONNECT, {});
    const deadline = Date.now() + this.config.DRAIN_TIMEOUT_MS;
    while (Date.now() < deadline && [...this.connections].some((c) => c.session)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const t of this.timers) clearInterval(t);
    clearInterval(this.ticker);
    this.sessions.endAll();
    for (const conn of this.connections) conn.close(CloseCode.DRAINING, 'gateway shutting down');
    this.wss?.close();
  }
}
