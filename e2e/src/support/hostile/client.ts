import { createCodec, Frame, Op, type Hello } from '@parley/contracts';
import WebSocket from 'ws';
import { pack } from './msgpack';

const codec = createCodec();

/** `args` left out of the REQ frame altogether: `[REQ, id, op]`. */
export const NO_ARGS = Symbol('no args');

/** What the gateway answered to one request id. */
export type Answer = unknown[];

/**
 * A client that sends exactly the bytes a test gives it (hostile frames) and records everything the
 * gateway sends back: every RES per request id (to count answers), PONGs (to fence: frames are
 * decided in order, so the PONG to a marker PING means every frame before it was decided), events,
 * and server frames it could not decode (a protocol defect of the gateway).
 */
export class HostileClient {
  hello?: Hello;
  closed?: { code: number; reason: string };
  /** Every RES by request id (more than one = a defect). */
  readonly answers = new Map<number, Answer[]>();
  readonly events: Array<[number, unknown]> = [];
  /** Ids of the requests made through request()/call() (set-up, not hostile cases). */
  readonly ownIds = new Set<number>();
  pongs = 0;
  /** PONGs without ts (answers to PINGs without a number ts). */
  pongsWithoutTs = 0;
  /** Messages from the gateway that were not one MessagePack value. */
  undecodable = 0;
  /** The first such message: its length and first bytes (hex). */
  firstUndecodable?: { length: number; head: string };
  /** Raw messages from the gateway, when `keepRaw` is set (to look at bytes the decoder would rewrite). */
  keepRaw = false;
  readonly raw: Buffer[] = [];
  /** ws 'error' events (a client-side view of a broken stream). */
  errors: string[] = [];
  private nextId = 1;
  private marker = 1_000_000.5;
  private readonly waiters = new Map<number, Array<(a: Answer) => void>>();
  private readonly pongWaiters = new Map<number, () => void>();
  private readonly closeWaiters: Array<() => void> = [];
  private pinger?: NodeJS.Timeout;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      if (this.keepRaw) this.raw.push(data);
      let msg: unknown;
      try {
        msg = codec.decode(data);
      } catch {
        this.undecodable++;
        this.firstUndecodable ??= { length: data.length, head: data.subarray(0, 8).toString('hex') };
        return;
      }
      if (!Array.isArray(msg)) return void this.undecodable++;
      if (msg[0] === Frame.BATCH) for (let i = 1; i < msg.length; i++) this.onFrame(msg[i] as unknown[]);
      else this.onFrame(msg);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      clearInterval(this.pinger);
      for (const w of this.closeWaiters.splice(0)) w();
    });
    ws.on('error', (err) => this.errors.push(err.message));
  }

  static async open(url: string, opts: { ping?: boolean } = {}): Promise<HostileClient> {
    const ws = new WebSocket(url, { maxPayload: 1 << 30 });
    const client = new HostileClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    // HELLO is the first message of every socket (maxFrameBytes and friends).
    const deadline = Date.now() + 10_000;
    while (!client.hello && !client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (!client.hello) throw new Error(`no HELLO from ${url}`);
    // A heartbeat like the SDK's, so a long case never trips the gateway's silence timeout.
    if (opts.ping !== false) client.pinger = setInterval(() => client.sendValue([Frame.PING, Date.now()]), 300);
    return client;
  }

  static async login(url: string, appId: string, uid: string): Promise<HostileClient> {
    const client = await HostileClient.open(url);
    const [code, data] = await client.call(Op.LOGIN, { appId, uid, instanceId: `hostile-${uid}` });
    if (code !== 0) {
      client.close();
      throw new Error(`LOGIN of ${uid} failed with code ${code}: ${JSON.stringify(data)}`);
    }
    return client;
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** A request id never used on this socket. */
  id(): number {
    return this.nextId++;
  }

  sendBytes(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes, { binary: true });
  }

  /** A text WebSocket message. */
  sendText(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text, { binary: false });
  }

  sendValue(value: unknown): void {
    this.sendBytes(pack(value));
  }

  /** The frame of a request (hostile args allowed; NO_ARGS leaves them out). */
  static reqBytes(id: unknown, op: unknown, args: unknown): Buffer {
    return pack(args === NO_ARGS ? [Frame.REQ, id, op] : [Frame.REQ, id, op, args]);
  }

  /** Sends a request and resolves with its first answer (undefined after timeoutMs). */
  async request(op: unknown, args: unknown, timeoutMs = 15_000): Promise<Answer | undefined> {
    const id = this.id();
    this.ownIds.add(id);
    const answer = this.answerOf(id, timeoutMs);
    this.sendBytes(HostileClient.reqBytes(id, op, args));
    return answer;
  }

  /** A well-formed request that must be answered: [code, result]. */
  async call(op: number, args: unknown, timeoutMs = 15_000): Promise<[number, unknown]> {
    const a = await this.request(op, args, timeoutMs);
    if (!a) throw new Error(`no answer to op ${op} within ${timeoutMs} ms`);
    return [a[2] as number, a[3]];
  }

  /** The first answer to `id` (already received or coming), undefined after timeoutMs or when the socket closes. */
  answerOf(id: number, timeoutMs = 15_000): Promise<Answer | undefined> {
    const have = this.answers.get(id);
    if (have?.length || this.closed) return Promise.resolve(have?.[0]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (a: Answer | undefined) => {
        clearTimeout(timer);
        const list = this.waiters.get(id);
        if (list) {
          const i = list.indexOf(finish);
          if (i >= 0) list.splice(i, 1);
          if (!list.length) this.waiters.delete(id);
        }
        resolve(a);
      };
      const list = this.waiters.get(id) ?? [];
      list.push(finish);
      this.waiters.set(id, list);
      this.closeWaiters.push(() => finish(this.answers.get(id)?.[0]));
    });
  }

  /**
   * Sends a marker PING and waits for its PONG: every frame sent before it has been decided by then
   * (requests answered synchronously are answered; others are running). False when none came.
   */
  async fence(timeoutMs = 10_000): Promise<boolean> {
    if (!this.isOpen) return false;
    const marker = (this.marker += 1);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pongWaiters.delete(marker);
        resolve(false);
      }, timeoutMs);
      this.pongWaiters.set(marker, () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.closeWaiters.push(() => resolve(false));
      this.sendValue([Frame.PING, marker]);
    });
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string } | undefined> {
    if (this.closed) return this.closed;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.closed;
  }

  close(): void {
    clearInterval(this.pinger);
    this.ws.terminate();
  }

  private onFrame(f: unknown[]): void {
    if (!Array.isArray(f)) return void this.undecodable++;
    switch (f[0]) {
      case Frame.HELLO:
        this.hello = f[1] as Hello;
        return;
      case Frame.RES: {
        const id = f[1] as number;
        const list = this.answers.get(id) ?? [];
        list.push(f);
        this.answers.set(id, list);
        for (const w of [...(this.waiters.get(id) ?? [])]) w(f);
        return;
      }
      case Frame.PONG: {
        this.pongs++;
        if (f.length < 2) this.pongsWithoutTs++;
        const w = typeof f[1] === 'number' ? this.pongWaiters.get(f[1]) : undefined;
        if (w) {
          this.pongWaiters.delete(f[1] as number);
          w();
        }
        return;
      }
      case Frame.EVT:
        this.events.push([f[1] as number, f[2]]);
        if (f[3] !== undefined) this.sendValue([Frame.ACK, f[3]]);
        return;
      case Frame.PING:
        this.sendValue([Frame.PONG, f[1]]);
        return;
      default:
        return;
    }
  }
}
