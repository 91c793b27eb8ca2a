/**
 * What an upload reads from: bytes, a Blob (or File), and in Node a file path or a readable stream.
 * Each is read in pieces of the server's chunk size, never as a whole (a 30 MB Blob is sliced, a
 * file is streamed), and each knows its size before the upload begins.
 */
import { MEDIA_LIMITS } from '@parley/contracts';
import { baseName, nodeFs } from './node-fs';
import { failure, invalidArgument, sizeOverflow } from './media-errors';

export interface PayloadSource {
  readonly size: number;
  /** File name to use when the app gives none: a File's name, a path's last segment, else ''. */
  readonly name: string;
  /** The bytes in pieces of exactly `chunkBytes` (the last one shorter); exactly `size` bytes in all. */
  chunks(chunkBytes: number): AsyncGenerator<Uint8Array>;
  /** Stops reading early (closes the file or stream). */
  close(): void;
}

/** Blob and File, also from another realm or a polyfill. */
interface BlobLike {
  readonly size: number;
  readonly name?: unknown;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

interface StreamLike {
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
  /** fs.ReadStream */
  path?: unknown;
  destroy?: () => void;
}

/** A web ReadableStream without async iteration (older browsers). */
interface WebStreamLike {
  getReader(): { read(): Promise<{ done: boolean; value?: unknown }>; cancel(): Promise<void>; releaseLock(): void };
}

export function isBlobLike(value: unknown): value is BlobLike {
  const v = value as Partial<BlobLike> | null;
  return typeof v === 'object' && v !== null && typeof v.size === 'number' && typeof v.slice === 'function' && 'arrayBuffer' in v;
}

/** The source of an upload payload; rejects with INVALID_ARGUMENT (2) or SIZE_OVERFLOW (3). */
export async function openPayload(payload: unknown, declaredSize?: number): Promise<PayloadSource> {
  const source = await open(payload, declaredSize);
  if (source.size === 0) {
    source.close();
    throw invalidArgument('the payload is empty');
  }
  if (source.size > MEDIA_LIMITS.MAX_BYTES) {
    source.close();
    throw sizeOverflow(`the payload has ${source.size} bytes, more than ${MEDIA_LIMITS.MAX_BYTES}`);
  }
  return source;
}

/** A short description of a payload for the call trace (never its content). */
export function describePayload(payload: unknown): string {
  if (typeof payload === 'string') return `file ${payload}`;
  if (payload instanceof ArrayBuffer) return `${payload.byteLength} bytes`;
  if (ArrayBuffer.isView(payload)) return `${payload.byteLength} bytes`;
  if (isBlobLike(payload)) return `Blob of ${payload.size} bytes`;
  return payload === null ? 'null' : typeof payload === 'object' ? 'stream' : typeof payload;
}

function open(payload: unknown, declaredSize: number | undefined): Promise<PayloadSource> | PayloadSource {
  if (payload instanceof ArrayBuffer) return bytesSource(new Uint8Array(payload));
  if (ArrayBuffer.isView(payload)) return bytesSource(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
  if (isBlobLike(payload)) return blobSource(payload);
  if (typeof payload === 'string') return fileSource(payload);
  if (isStream(payload)) return streamSource(payload, payload, declaredSize);
  if (isWebStream(payload)) return streamSource(webStreamIterable(payload), undefined, declaredSize);
  throw invalidArgument('the payload must be a Blob, bytes, a file path or a readable stream');
}

function bytesSource(bytes: Uint8Array): PayloadSource {
  return {
    size: bytes.byteLength,
    name: '',
    async *chunks(chunkBytes) {
      for (let off = 0; off < bytes.byteLength; off += chunkBytes) yield bytes.slice(off, off + chunkBytes);
    },
    close() {
      // nothing to release
    },
  };
}

function blobSource(blob: BlobLike): PayloadSource {
  return {
    size: blob.size,
    name: typeof blob.name === 'string' ? blob.name : '',
    async *chunks(chunkBytes) {
      for (let off = 0; off < blob.size; off += chunkBytes) {
        yield new Uint8Array(await blob.slice(off, Math.min(off + chunkBytes, blob.size)).arrayBuffer());
      }
    },
    close() {
      // slices are read one at a time: nothing to release
    },
  };
}

async function fileSource(filePath: string): Promise<PayloadSource> {
  if (filePath === '') throw invalidArgument('the file path is empty');
  const fs = await nodeFs().catch((err: unknown) => {
    throw invalidArgument('a file path payload needs Node (node:fs)', err);
  });
  const stat = await fs.promises.stat(filePath).catch((err: unknown) => {
    throw invalidArgument(`cannot read ${filePath}: ${(err as Error).message}`, err);
  });
  if (!stat.isFile()) throw invalidArgument(`${filePath} is not a file`);
  let stream: ReturnType<typeof fs.createReadStream> | undefined;
  return {
    size: stat.size,
    name: baseName(filePath),
    chunks(chunkBytes) {
      stream = fs.createReadStream(filePath, { highWaterMark: chunkBytes });
      return exactly(rechunk(stream, chunkBytes), stat.size);
    },
    close() {
      stream?.destroy();
    },
  };
}

async function streamSource(iterable: AsyncIterable<unknown>, stream: StreamLike | undefined, declaredSize: number | undefined): Promise<PayloadSource> {
  let size = declaredSize;
  if (size === undefined && typeof stream?.path === 'string') {
    const path = stream.path;
    const stat = await nodeFs()
      .then((fs) => fs.promises.stat(path))
      .catch((err: unknown) => {
        throw invalidArgument(`cannot find the size of the stream of ${path}: ${(err as Error).message}`, err);
      });
    size = stat.size;
  }
  if (size === undefined) throw invalidArgument('the size of a stream payload must be given (size)');
  if (!Number.isSafeInteger(size) || size < 0) throw invalidArgument('size must be a non-negative integer');
  const known = size;
  return {
    size: known,
    name: typeof stream?.path === 'string' ? baseName(stream.path) : '',
    chunks: (chunkBytes) => exactly(rechunk(iterable, chunkBytes), known),
    close() {
      stream?.destroy?.();
    },
  };
}

/** Cuts a stream's pieces (any sizes, Buffers or strings) into pieces of exactly `chunkBytes`. */
export async function* rechunk(source: AsyncIterable<unknown>, chunkBytes: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(chunkBytes);
  let fill = 0;
  for await (const piece of source) {
    const bytes = toBytes(piece);
    let off = 0;
    while (off < bytes.byteLength) {
      const n = Math.min(chunkBytes - fill, bytes.byteLength - off);
      buf.set(bytes.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === chunkBytes) {
        yield buf;
        buf = new Uint8Array(chunkBytes);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Passes `chunks` on, failing when they add up to more or less than `size` (a stream that lied, a file that changed). */
async function* exactly(chunks: AsyncGenerator<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > size) throw invalidArgument(`the payload has more than its size of ${size} bytes`);
    yield chunk;
  }
  if (total < size) throw invalidArgument(`the payload ended after ${total} of its ${size} bytes`);
}

function toBytes(piece: unknown): Uint8Array {
  if (typeof piece === 'string') return new TextEncoder().encode(piece);
  if (piece instanceof Uint8Array) return piece;
  if (piece instanceof ArrayBuffer) return new Uint8Array(piece);
  if (ArrayBuffer.isView(piece)) return new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
  throw failure('the stream yielded something other than bytes or strings');
}

function isStream(value: unknown): value is StreamLike {
  return typeof value === 'object' && value !== null && typeof (value as Partial<StreamLike>)[Symbol.asyncIterator] === 'function';
}

function isWebStream(value: unknown): value is WebStreamLike {
  return typeof value === 'object' && value !== null && typeof (value as Partial<WebStreamLike>).getReader === 'function';
}

async function* webStreamIterable(stream: WebStreamLike): AsyncGenerator<unknown> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
