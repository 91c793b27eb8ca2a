/**
 * The media part of the fake gateway: an in-memory media store answering MEDIA_UPLOAD_BEGIN /
 * CHUNK / END, MEDIA_CANCEL, MEDIA_INFO and MEDIA_READ like the real service (size limits, chunks
 * in order, an upload aborted when its connection closes, MEDIA_NOT_FOUND). Tests can slow the
 * answers down (`chunkDelayMs` / `readDelayMs`: one answer per delay, like a thin pipe), hold them
 * (`holdChunks` / `holdReads`, then `release()`), and read what was in flight at most.
 */
import {
  ErrorCode,
  Frame,
  MEDIA_LIMITS,
  Op,
  type MediaCancelArgs,
  type MediaInfo,
  type MediaInfoArgs,
  type MediaReadArgs,
  type MediaType,
  type MediaUploadBeginArgs,
  type MediaUploadChunkArgs,
  type MediaUploadEndArgs,
} from '@parley/contracts';
import type { Answer, FakeConnection, FakeGateway } from './fake-gateway';

export interface StoredMedia {
  info: MediaInfo;
  bytes: Uint8Array;
}

export interface FakeUpload {
  conn: FakeConnection;
  uploadId: string;
  size: number;
  name: string;
  type: MediaType;
  chunks: Uint8Array[];
  received: number;
  /** Chunks received and not answered yet, now and at most. */
  inFlight: number;
  maxInFlight: number;
  state: 'open' | 'ended' | 'canceled' | 'aborted' | 'failed';
}

interface Held {
  conn: FakeConnection;
  id: number;
  run: () => Answer;
}

export class FakeMedia {
  readonly store = new Map<string, StoredMedia>();
  readonly uploads = new Map<string, FakeUpload>();
  /** uploadIds of the MEDIA_CANCEL requests, in order. */
  readonly cancels: string[] = [];
  /** Answered in MEDIA_UPLOAD_BEGIN. */
  chunkBytes: number = MEDIA_LIMITS.CHUNK_BYTES;
  window: number = MEDIA_LIMITS.WINDOW;
  maxBytes: number = MEDIA_LIMITS.MAX_BYTES;
  /** > 0: chunk answers leave one per this many ms (per upload); reads likewise (per connection). */
  chunkDelayMs = 0;
  readDelayMs = 0;
  /** Keep answers back until release(). */
  holdChunks = false;
  holdReads = false;
  /** MEDIA_READs received and not answered yet, now and at most. */
  readsInFlight = 0;
  maxReadsInFlight = 0;
  private readonly held: Held[] = [];
  /** Delayed answers per pipe (one upload, one download), answered strictly in order. */
  private readonly delayed = new Map<unknown, { conn: FakeConnection; id: number; run: () => Answer; at: number }[]>();
  private lastId = 0;

  constructor(private readonly gw: FakeGateway) {
    Object.assign(gw.handlers, {
      [Op.MEDIA_UPLOAD_BEGIN]: (conn: FakeConnection, args: MediaUploadBeginArgs) => this.begin(conn, args),
      [Op.MEDIA_UPLOAD_CHUNK]: (conn: FakeConnection, args: MediaUploadChunkArgs, id: number) => this.chunk(conn, args, id),
      [Op.MEDIA_UPLOAD_END]: (conn: FakeConnection, args: MediaUploadEndArgs) => this.end(conn, args),
      [Op.MEDIA_CANCEL]: (conn: FakeConnection, args: MediaCancelArgs) => this.cancel(conn, args),
      [Op.MEDIA_INFO]: (_conn: FakeConnection, args: MediaInfoArgs) => this.info(args.mediaId),
      [Op.MEDIA_READ]: (conn: FakeConnection, args: MediaReadArgs, id: number) => this.read(conn, args, id),
    });
  }

  /** Stores media directly (as if uploaded earlier); returns its id. */
  put(bytes: Uint8Array, name = 'file.bin', type: MediaType = 'FILE', size: { width?: number; height?: number } = {}): string {
    const mediaId = `media-${++this.lastId}`;
    const info: MediaInfo = {
      mediaId,
      size: bytes.byteLength,
      name,
      type,
      width: size.width ?? 0,
      height: size.height ?? 0,
      expiresAt: Date.now() + 7 * 86_400_000,
    };
    this.store.set(mediaId, { info, bytes: new Uint8Array(bytes) });
    return mediaId;
  }

  /** The one upload of the test (the last begun). */
  get lastUpload(): FakeUpload | undefined {
    return [...this.uploads.values()].pop();
  }

  /** Answers up to `n` held requests (all by default), in order. */
  release(n = Infinity): void {
    for (const h of this.held.splice(0, n)) this.answer(h.conn, h.id, h.run());
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** The connection closed: its open uploads are aborted (the real service does so when the session ends). */
  connectionClosed(conn: FakeConnection): void {
    for (const u of this.uploads.values()) if (u.conn === conn && u.state === 'open') u.state = 'aborted';
  }

  private begin(conn: FakeConnection, args: MediaUploadBeginArgs): Answer {
    if (!(args.size > 0)) return fail(ErrorCode.INVALID_ARGUMENT, 'empty');
    if (args.size > this.maxBytes) return fail(ErrorCode.SIZE_OVERFLOW, 'too large');
    const uploadId = `up-${++this.lastId}`;
    const upload: FakeUpload = {
      conn,
      uploadId,
      size: args.size,
      name: args.name ?? '',
      type: args.type,
      chunks: [],
      received: 0,
      inFlight: 0,
      maxInFlight: 0,
      state: 'open',
    };
    this.uploads.set(uploadId, upload);
    return { code: ErrorCode.OK, data: { uploadId, chunkBytes: this.chunkBytes, window: this.window } };
  }

  private chunk(conn: FakeConnection, args: MediaUploadChunkArgs, id: number): Answer | undefined {
    const u = this.uploads.get(args.uploadId);
    if (!u || u.conn !== conn) return fail(ErrorCode.INVALID_ARGUMENT, 'unknown upload');
    u.inFlight++;
    u.maxInFlight = Math.max(u.maxInFlight, u.inFlight);
    const run = (): Answer => {
      u.inFlight--;
      if (u.state !== 'open') return fail(ErrorCode.INVALID_ARGUMENT, `upload ${u.state}`);
      if (args.seq !== u.chunks.length || !(args.data instanceof Uint8Array) || args.data.byteLength > this.chunkBytes) {
        u.state = 'failed';
        return fail(ErrorCode.INVALID_ARGUMENT, `bad chunk ${args.seq}`);
      }
      if (u.received + args.data.byteLength > u.size) {
        u.state = 'failed';
        return fail(ErrorCode.SIZE_OVERFLOW, 'more than announced');
      }
      u.chunks.push(new Uint8Array(args.data));
      u.received += args.data.byteLength;
      return { code: ErrorCode.OK, data: null };
    };
    return this.later(conn, id, run, this.holdChunks, this.chunkDelayMs, u);
  }

  private end(conn: FakeConnection, args: MediaUploadEndArgs): Answer {
    const u = this.uploads.get(args.uploadId);
    if (!u || u.conn !== conn || u.state !== 'open') return fail(ErrorCode.INVALID_ARGUMENT, 'unknown upload');
    if (u.received !== u.size) return fail(ErrorCode.INVALID_ARGUMENT, 'short');
    u.state = 'ended';
    const bytes = concat(u.chunks);
    const { width, height } = pngSize(bytes);
    const mediaId = `media-${++this.lastId}`;
    const info: MediaInfo = { mediaId, size: u.size, name: u.name, type: u.type, width, height, expiresAt: Date.now() + 7 * 86_400_000 };
    this.store.set(mediaId, { info, bytes });
    return { code: ErrorCode.OK, data: info };
  }

  private cancel(conn: FakeConnection, args: MediaCancelArgs): Answer {
    this.cancels.push(args.uploadId);
    const u = this.uploads.get(args.uploadId);
    if (u && u.conn === conn && u.state === 'open') u.state = 'canceled';
    return { code: ErrorCode.OK, data: null };
  }

  private info(mediaId: string): Answer {
    const media = this.store.get(mediaId);
    return media ? { code: ErrorCode.OK, data: media.info } : fail(ErrorCode.MEDIA_NOT_FOUND, 'no such media');
  }

  private read(conn: FakeConnection, args: MediaReadArgs, id: number): Answer | undefined {
    this.readsInFlight++;
    this.maxReadsInFlight = Math.max(this.maxReadsInFlight, this.readsInFlight);
    const run = (): Answer => {
      this.readsInFlight--;
      const media = this.store.get(args.mediaId);
      if (!media) return fail(ErrorCode.MEDIA_NOT_FOUND, 'no such media');
      if (!(args.length > 0) || args.length > MEDIA_LIMITS.READ_BYTES || args.offset < 0) return fail(ErrorCode.INVALID_ARGUMENT, 'bad range');
      return { code: ErrorCode.OK, data: media.bytes.slice(args.offset, args.offset + args.length) };
    };
    return this.later(conn, id, run, this.holdReads, this.readDelayMs, conn);
  }

  /** Answers now, after the pipe's delay, or when released. */
  private later(conn: FakeConnection, id: number, run: () => Answer, hold: boolean, delayMs: number, pipe: unknown): Answer | undefined {
    if (hold) {
      this.held.push({ conn, id, run });
      return undefined;
    }
    if (delayMs <= 0) return run();
    // One timer at a time per pipe: timers computed from Date.now() in a busy loop can fire out of order.
    let queue = this.delayed.get(pipe);
    if (!queue) this.delayed.set(pipe, (queue = []));
    const at = Math.max(Date.now(), queue[queue.length - 1]?.at ?? 0) + delayMs;
    queue.push({ conn, id, run, at });
    if (queue.length === 1) this.drain(queue);
    return undefined;
  }

  private drain(queue: { conn: FakeConnection; id: number; run: () => Answer; at: number }[]): void {
    setTimeout(
      () => {
        const head = queue.shift()!;
        this.answer(head.conn, head.id, head.run());
        if (queue.length) this.drain(queue);
      },
      Math.max(0, queue[0]!.at - Date.now()),
    );
  }

  private answer(conn: FakeConnection, id: number, answer: Answer): void {
    conn.send([Frame.RES, id, answer.code, answer.data ?? null]);
  }
}

function fail(code: number, message: string): Answer {
  return { code, data: { message } };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Width and height of a PNG (its IHDR), else 0 × 0: the real service also does JPEG, BMP and GIF. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.byteLength < 24 || signature.some((b, i) => bytes[i] !== b)) return { width: 0, height: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
