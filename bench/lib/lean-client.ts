import { createCodec, Frame, type Hello } from '@parley/contracts';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';

const codec = createCodec();

// Node's streams read the stack of every socket error (a reconnect storm: tens of thousands of
// ECONNREFUSED and EPIPE), and the source maps that @swc-node/register installs made each one cost
// the load generator ~25 µs, a tenth of its CPU in the storm: the bench's stacks are V8's own.
Reflect.deleteProperty(Error, 'prepareStackTrace');
const REQUEST_TIMEOUT_MS = 10_000;
const SWEEP_MS = 250;
/**
 * Loopback source addresses the clients take turns on: Linux gives one (source, destination) pair
 * about 28k ephemeral ports (32768–60999), so 50k sockets to one gateway need several sources.
 */
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
let nextSource = 0;

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The WebSocket upgrade by hand over a plain socket: the load generator opens thousands of sockets a
 * second, and ws's client (an http.ClientRequest, a random key and its SHA-1 check each) costs it more
 * CPU than the gateway's side of the same handshake. The key is constant: the server does not care.
 */
function handshake(url: URL, localAddress: string, timeoutMs: number): Promise<{ socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress, noDelay: true });
    let received: Buffer = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error('handshake timed out')), timeoutMs);
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('socket closed during the handshake')));
    socket.write(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: cGFybGV5LWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const end = received.indexOf(HEADER_END);
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause(); // until ws listens: nothing after the headers may be emitted to nobody
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      clearTimeout(timer);
      const status = received.toString('latin1', 0, received.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${status}`));
        return;
      }
      resolve({ socket, head: received.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}

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
    const localAddress = opts.localAddress ?? SOURCE_ADDRESSES[nextSource++ % SOURCE_ADDRESSES.length]!;
    return handshake(new URL(url), localAddress, opts.timeoutMs ?? REQUEST_TIMEOUT_MS).then(({ socket, head }) => {
      // ws in client mode over a socket whose upgrade is done: frames masked, the server's unmasked.
      const ws = new WebSocket(null as unknown as string, undefined, { autoPong: true } as WebSocket.ClientOptions) as WebSocket & {
        _isServer: boolean;
        setSocket(socket: Socket, head: Buffer, o: { maxPayload: number; skipUTF8Validation: boolean }): void;
      };
      ws._isServer = false;
      ws.setSocket(socket, head, { maxPayload: 0, skipUTF8Validation: true });
      socket.resume();
      const client = new LeanClient(ws);
      track(client);
      return client;
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
