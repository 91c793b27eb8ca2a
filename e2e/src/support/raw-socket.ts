import { createCodec, Frame, type Hello } from '@parley/contracts';
import WebSocket from 'ws';

const codec = createCodec();

/** A bare protocol client for what the SDK never sends (garbage, unknown ops, silence). */
export class RawSocket {
  readonly frames: unknown[][] = [];
  hello?: Hello;
  closed?: { code: number; reason: string };
  private nextId = 1;
  private readonly waiters = new Map<number, (frame: unknown[]) => void>();

  private pinger?: NodeJS.Timeout;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = codec.decode(data) as unknown[];
      const frames = msg[0] === Frame.BATCH ? (msg.slice(1) as unknown[][]) : [msg];
      for (const f of frames) {
        this.frames.push(f);
        if (f[0] === Frame.HELLO) this.hello = f[1] as Hello;
        if (f[0] === Frame.RES) this.waiters.get(f[1] as number)?.(f);
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      clearInterval(this.pinger);
    });
  }

  /** Pings like the SDK unless `silent` (a client that stopped talking). */
  static async open(url: string, opts: { silent?: boolean } = {}): Promise<RawSocket> {
    const ws = new WebSocket(url);
    const raw = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (!opts.silent) raw.pinger = setInterval(() => raw.send([Frame.PING, Date.now()]), 300);
    return raw;
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  send(frame: unknown[]): void {
    this.ws.send(codec.encode(frame));
  }

  /** Sends a request and resolves with [code, data]. */
  request(op: number, args: unknown): Promise<[number, unknown]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to op ${op}`)), 10_000);
      this.waiters.set(id, (f) => {
        clearTimeout(timer);
        resolve([f[2] as number, f[3]]);
      });
      this.send([Frame.REQ, id, op, args]);
    });
  }

  close(): void {
    clearInterval(this.pinger);
    this.ws.terminate();
  }
}
