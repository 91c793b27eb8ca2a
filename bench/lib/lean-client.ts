import { createCodec, Frame, type Hello } from '@parley/contracts';
import WebSocket from 'ws';

const codec = createCodec();
const REQUEST_TIMEOUT_MS = 10_000;
const SWEEP_MS = 250;
/**
 * Loopback source addresses the clients take turns on: Linux gives one (source, destination) pair
 * about 28k ephemeral ports (32768–60999), so 50k sockets to one gateway need several sources.
 */
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
let nextSource = 0;

interface Waiter {
  resolve: (r: [number, unknown]) => void;
  reject: (err: Error) => void;
  deadline: number;
}

/** One timer for every client (pings when silent, request deadlines): 50k sockets must not mean 50k timers. */
const live = new Set<LeanClient>();
let sweeper: NodeJS.Timeout | undefined;
function track(c: LeanClient): void {
  live.add(c);
  if (!sweeper) {
    sweeper = setInterval(() => {
      const now = Date.now();
      for (const client of live) client.tick(now);
    }, SWEEP_MS);
    sweeper.unref();
  }
}

/**
 * The bench's load generator: the bare protocol (docs/protocol.md) and nothing else, so the same
 * client drives a Parley gateway and the baseline pipe. Pings like the SDK (only after heartbeatMs
 * without sending), acknowledges pushed events after `onEvent`, binds to a rotating loopback source
 * address.
 */
export class LeanClient {
  hello?: Hello;
  /** Called for every pushed event; its ACK (when asked for) is sent after it returns. */
  onEvent?: (evt: number, data: unknown) => void;
  onClose?: (code: number) => void;
  closed = false;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private lastSent = Date.now();
  private heartbeatMs = 2_000;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = codec.decode(data) as unknown[];
      if (msg[0] === Frame.BATCH) for (let i = 1; i < msg.length; i++) this.onFrame(msg[i] as unknown[]);
      else this.onFrame(msg);
    });
    ws.on('close', (code) => this.gone(code));
    ws.on('error', () => undefined); // followed by 'close'
  }

  static open(url: string, opts: { localAddress?: string; timeoutMs?: number } = {}): Promise<LeanClient> {
    const localAddress = opts.localAddress ?? SOURCE_ADDRESSES[nextSource++ % SOURCE_ADDRESSES.length];
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: opts.timeoutMs ?? REQUEST_TIMEOUT_MS });
    const client = new LeanClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        track(client);
        resolve(client);
      });
      ws.once('error', reject);
    });
  }

  /** Sends a request and resolves with [code, data]; rejects when the socket closes or no answer comes in time. */
  request(op: number, args: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<[number, unknown]> {
    if (this.closed) return Promise.reject(new Error('socket closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, deadline: Date.now() + timeoutMs });
      this.send([Frame.REQ, id, op, args]);
    });
  }

  send(frame: unknown[]): void {
    if (this.closed) return;
    this.lastSent = Date.now();
    this.ws.send(codec.encode(frame));
  }

  close(): void {
    this.ws.terminate();
    this.gone(1000);
  }

  /** Driven by the shared sweeper. */
  tick(now: number): void {
    if (now - this.lastSent >= this.heartbeatMs) this.send([Frame.PING, now]);
    // Waiters are in send order; all timeouts of one client are alike, so the first live one ends the scan.
    for (const [id, w] of this.waiters) {
      if (w.deadline > now) break;
      this.waiters.delete(id);
      w.reject(new Error('request timed out'));
    }
  }

  private gone(code: number): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    for (const w of this.waiters.values()) w.reject(new Error('socket closed'));
    this.waiters.clear();
    this.onClose?.(code);
  }

  private onFrame(f: unknown[]): void {
    switch (f[0]) {
      case Frame.RES: {
        const w = this.waiters.get(f[1] as number);
        if (!w) return;
        this.waiters.delete(f[1] as number);
        w.resolve([f[2] as number, f[3]]);
        return;
      }
      case Frame.EVT:
        this.onEvent?.(f[1] as number, f[2]);
        if (f[3] !== undefined) this.send([Frame.ACK, f[3]]);
        return;
      case Frame.HELLO:
        this.hello = f[1] as Hello;
        this.heartbeatMs = this.hello.heartbeatMs;
        return;
      case Frame.PING:
        this.send([Frame.PONG, f[1]]);
        return;
      default:
        return;
    }
  }
}
