import { createCodec, Evt, Frame, Op, type Hello } from '@parley/contracts';
import WebSocket from 'ws';

const codec = createCodec();

/**
 * A bare protocol client (docs/protocol.md): for what the SDK never sends (garbage, unknown ops,
 * silence) and as a lean load generator for benchmarks. Pings like the SDK unless `silent`;
 * acknowledges pushed events after `onEvent` ran.
 */
export class WireClient {
  readonly frames: unknown[][] = [];
  hello?: Hello;
  closed?: { code: number; reason: string };
  /** Called for every pushed event; the ACK (when asked for) is sent after it returns. */
  onEvent?: (evt: number, data: unknown) => void;
  /** False: never acknowledge pushed events (a client that receives but does not confirm). */
  ack = true;
  private nextId = 1;
  private readonly waiters = new Map<number, (frame: unknown[]) => void>();
  private pinger?: NodeJS.Timeout;

  private constructor(
    readonly ws: WebSocket,
    private readonly keepFrames: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      const msg = codec.decode(data) as unknown[];
      if (msg[0] === Frame.BATCH) for (let i = 1; i < msg.length; i++) this.onFrame(msg[i] as unknown[]);
      else this.onFrame(msg);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      clearInterval(this.pinger);
    });
  }

  static async open(url: string, opts: { silent?: boolean; keepFrames?: boolean } = {}): Promise<WireClient> {
    const ws = new WebSocket(url);
    const client = new WireClient(ws, opts.keepFrames ?? true);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (!opts.silent) client.pinger = setInterval(() => client.send([Frame.PING, Date.now()]), 300);
    return client;
  }

  /** Opens a socket and logs `uid` in (instance `wire-<uid>`); fails unless the LOGIN succeeds. */
  static async login(url: string, appId: string, uid: string, opts: { silent?: boolean } = {}): Promise<WireClient> {
    const client = await WireClient.open(url, opts);
    const [code, data] = await client.request(Op.LOGIN, { appId, uid, instanceId: `wire-${uid}` });
    if (code !== 0) {
      client.close();
      throw new Error(`LOGIN of ${uid} failed with code ${code}: ${JSON.stringify(data)}`);
    }
    return client;
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  send(frame: unknown[]): void {
    this.ws.send(codec.encode(frame));
  }

  /** Sends a request and resolves with [code, data]. */
  request(op: number, args: unknown, timeoutMs = 10_000): Promise<[number, unknown]> {
    return this.requestRaw((id) => codec.encode([Frame.REQ, id, op, args]), timeoutMs, op);
  }

  /** A request whose bytes the caller builds (for frames the codec cannot or would not encode). */
  requestRaw(build: (id: number) => Uint8Array, timeoutMs = 10_000, op: unknown = '?'): Promise<[number, unknown]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no response to op ${op}`));
      }, timeoutMs);
      this.waiters.set(id, (f) => {
        clearTimeout(timer);
        resolve([f[2] as number, f[3]]);
      });
      this.ws.send(build(id));
    });
  }

  close(): void {
    clearInterval(this.pinger);
    this.ws.terminate();
  }

  private onFrame(f: unknown[]): void {
    if (this.keepFrames) this.frames.push(f);
    switch (f[0]) {
      case Frame.HELLO:
        this.hello = f[1] as Hello;
        return;
      case Frame.RES: {
        const waiter = this.waiters.get(f[1] as number);
        this.waiters.delete(f[1] as number);
        waiter?.(f);
        return;
      }
      case Frame.EVT:
        this.onEvent?.(f[1] as number, f[2]);
        if (f[3] !== undefined && this.ack) this.send([Frame.ACK, f[3]]);
        return;
      case Frame.PING:
        this.send([Frame.PONG, f[1]]);
        return;
      default:
        return;
    }
  }
}

export { Evt };
