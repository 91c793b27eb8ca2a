import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { CloseCode, createCodec, ErrorCode, Evt, Frame, opName, ParleyError, PROTOCOL_VERSION, WS_PATH, type Hello } from '@parley/contracts';
import { clientTraceContext, isTracingEnabled, SpanKind, withSpan } from '@parley/platform/telemetry';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { countRequest } from '../metrics/gateway.metrics';
import { PresenceClient } from '../presence/presence.client';
import { SessionsService } from '../sessions/sessions.service';
import { Connection } from './connection';
import { OutboundQueue } from './outbound-queue';
import { WsRouter } from './ws.router';

const codec = createCodec();
const TICK_MS = 1_000;

/** The SDK's WebSocket endpoint (docs/protocol.md): framing, heartbeats, dispatch, shutdown. */
@Injectable()
export class WsServer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WsServer.name);
  private readonly connections = new Set<Connection>();
  private wss?: WebSocketServer;
  private timers: NodeJS.Timeout[] = [];
  private accepting = true;

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
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
    const heartbeat = () => this.presence.heartbeat({ gatewayId: this.config.GATEWAY_ID, sessions: this.sessions.sessions.size });
    heartbeat();
    this.timers.push(setInterval(heartbeat, this.config.GATEWAY_HEARTBEAT_MS), setInterval(() => this.tick(), TICK_MS));
    for (const t of this.timers) t.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private onConnection(ws: WebSocket): void {
    const conn = new Connection(ws, this.outbound);
    this.connections.add(conn);
    const hello: Hello = {
      v: PROTOCOL_VERSION,
      gw: this.config.GATEWAY_ID,
      heartbeatMs: this.config.HEARTBEAT_MS,
      maxFrameBytes: this.config.MAX_FRAME_BYTES,
      serverTs: Date.now(),
    };
    conn.send([Frame.HELLO, hello]);
    ws.on('message', (data: RawData) => this.onMessage(conn, data as Buffer));
    ws.on('close', () => this.onClose(conn));
    ws.on('error', (err) => this.logger.debug(`socket error: ${err.message}`));
  }

  private onClose(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    conn.dispose();
    this.sessions.onConnectionClosed(conn);
  }

  private onMessage(conn: Connection, data: Buffer): void {
    conn.lastSeen = Date.now();
    let frame: unknown;
    try {
      frame = codec.decode(data);
    } catch {
      // Not MessagePack: nothing to answer (no request id); the connection lives on.
      this.logger.debug('undecodable frame ignored');
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
        conn.send([Frame.PONG, frame[1]]);
        return;
      case Frame.ACK:
        conn.onAck(frame[1]);
        return;
      default:
        // PONG only refreshes lastSeen.
        return;
    }
  }

  private onRequest(conn: Connection, id: unknown, op: unknown, args: unknown, traceparent?: unknown): void {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return;
    const handler = typeof op === 'number' ? this.router.handler(op) : undefined;
    if (!handler) {
      conn.fail(id, ErrorCode.UNSUPPORTED_OP, `unknown op ${String(op)}`);
      return;
    }
    const run = async () => handler(conn, args as never);
    const pending = isTracingEnabled()
      ? withSpan(
          `ws ${opName(op as number)}`,
          SpanKind.SERVER,
          { 'rpc.system': 'parley-ws', 'rpc.method': opName(op as number) },
          run,
          clientTraceContext(traceparent),
        )
      : run();
    pending.then(
      (result) => {
        countRequest(op as number, ErrorCode.OK);
        conn.reply(id, result ?? null);
      },
      (err: unknown) => {
        countRequest(op as number, err instanceof ParleyError ? err.code : ErrorCode.UNKNOWN);
        if (err instanceof ParleyError) return conn.fail(id, err.code, err.message, err.retryAfterMs);
        this.logger.error(`op ${String(op)} failed: ${(err as Error).stack ?? String(err)}`);
        conn.fail(id, ErrorCode.UNKNOWN, 'internal error');
      },
    );
  }

  private tick(): void {
    const now = Date.now();
    const silentFor = 2 * this.config.HEARTBEAT_MS + 1_000;
    for (const conn of this.connections) {
      if (now - conn.lastSeen > silentFor) {
        this.logger.debug({ msg: 'heartbeat timeout', uid: conn.session?.uid });
        conn.terminate();
        this.onClose(conn);
      } else {
        conn.expireAcks(now);
      }
    }
    this.sessions.tick(now);
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
    this.sessions.endAll();
    for (const conn of this.connections) conn.close(CloseCode.DRAINING, 'gateway shutting down');
    this.wss?.close();
  }
}
