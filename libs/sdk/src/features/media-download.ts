import { newTraceparent } from '../connection/traceparent';
import { MEDIA_LIMITS, Op, type MediaInfo, type MediaReadArgs } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { MEDIA_OPERATION_ERR, type RtmError } from '../errors';
import { MEDIA_OP, asRtmError, failure, invalidArgument } from './media-errors';
import type { Transfer } from './media-transfer';
import { nodeFs } from './node-fs';

/** MEDIA_READ requests in flight at once. */
export const READ_WINDOW = 4;

/** Where downloaded bytes go, in order. */
export interface DownloadSink<T> {
  open(size: number): void | Promise<void>;
  write(bytes: Uint8Array, offset: number): void | Promise<void>;
  finish(): T | Promise<T>;
  /** The download failed or was canceled: drop what was written. */
  abort(): void | Promise<void>;
}

/** Op.MEDIA_INFO; unknown or expired media → NOT_FOUND (7). Resendable: it survives a reconnect. */
export function mediaInfo(core: ClientCore, mediaId: string, traceparent?: string): Promise<MediaInfo> {
  return core.session
    .request<MediaInfo>(Op.MEDIA_INFO, { mediaId }, { op: MEDIA_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true, traceparent })
    .then((info) => {
      if (!info || typeof info.size !== 'number' || !(info.size >= 0)) throw failure('unexpected answer to MEDIA_INFO');
      return info;
    });
}

/**
 * MEDIA_INFO, then MEDIA_READ ranges of READ_BYTES, READ_WINDOW at a time, written to `sink` in
 * order. Reads are resendable, so a download goes on after a reconnect.
 */
export async function download<T>(core: ClientCore, transfer: Transfer, mediaId: string, sink: DownloadSink<T>): Promise<T> {
  const traceparent = newTraceparent();
  const info = await mediaInfo(core, mediaId, traceparent).catch((err: unknown) => Promise.reject(downloadError(err)));
  transfer.check();
  const size = info.size;
  transfer.total = size;
  transfer.onCleanup(() => sink.abort());
  await sink.open(size);
  transfer.check();
  const read = (offset: number, length: number): Promise<Uint8Array> => {
    const args: MediaReadArgs = { mediaId, offset, length };
    return core.session.request<Uint8Array>(Op.MEDIA_READ, args, { op: MEDIA_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true, traceparent }).then(
      (bytes) => {
        if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) throw failure(`unexpected answer to MEDIA_READ at ${offset}`);
        return bytes;
      },
      (err: unknown) => Promise.reject(downloadError(err)),
    );
  };
  const queue: { offset: number; bytes: Promise<Uint8Array> }[] = [];
  let next = 0;
  const fill = (): void => {
    while (queue.length < READ_WINDOW && next < size) {
      const length = Math.min(MEDIA_LIMITS.READ_BYTES, size - next);
      const bytes = read(next, length);
      bytes.catch(() => undefined); // awaited in order below; an early failure must not count as unhandled
      queue.push({ offset: next, bytes });
      next += length;
    }
  };
  fill();
  for (let item = queue.shift(); item; item = queue.shift()) {
    const bytes = await item.bytes;
    transfer.check();
    await sink.write(bytes, item.offset);
    transfer.check();
    transfer.moved(bytes.byteLength);
    fill();
  }
  return sink.finish();
}

/** A read that failed because logout ended the session is FAILURE (the session's end reports the same). */
function downloadError(err: unknown): RtmError {
  const rtm = asRtmError(err);
  if (rtm.serverCode === undefined && rtm.code === MEDIA_OPERATION_ERR.USER_NOT_LOGGED_IN) return failure('the session ended during the download', err);
  return rtm;
}

export function memorySink(): DownloadSink<Uint8Array> {
  let out = new Uint8Array(0);
  return {
    open: (size) => void (out = new Uint8Array(size)),
    write: (bytes, offset) => out.set(bytes, offset),
    finish: () => out,
    abort: () => void (out = new Uint8Array(0)),
  };
}

export function blobSink(): DownloadSink<Blob> {
  let parts: Uint8Array<ArrayBuffer>[] = [];
  return {
    open: () => undefined,
    write: (bytes) => void parts.push(new Uint8Array(bytes)),
    finish: () => new Blob(parts),
    abort: () => void (parts = []),
  };
}

/**
 * Streams to `filePath` (Node), with backpressure. A failed or canceled download removes the file
 * — only once this download opened (created or truncated) it: a path it could not open is left alone.
 */
export function fileSink(filePath: string): DownloadSink<void> {
  type Fs = Awaited<ReturnType<typeof nodeFs>>;
  let fs: Fs | undefined;
  let stream: ReturnType<Fs['createWriteStream']> | undefined;
  let streamError: Error | undefined;
  let opened = false;
  let aborted = false;
  const writeFailed = (err: Error): RtmError => failure(`writing ${filePath} failed: ${err.message}`, err);
  return {
    async open() {
      fs = await nodeFs().catch((err: unknown) => {
        throw invalidArgument('downloading to a file needs Node (node:fs)', err);
      });
      if (aborted) throw failure('the download ended');
      const s = fs.createWriteStream(filePath);
      stream = s;
      s.on('error', (err) => (streamError ??= err));
      s.once('open', () => (opened = true));
      await new Promise<void>((resolve, reject) => {
        const done = (): void => {
          s.off('open', done);
          s.off('error', done);
          s.off('close', done);
          if (opened) resolve();
          else reject(invalidArgument(`cannot write ${filePath}: ${streamError?.message ?? 'closed'}`, streamError));
        };
        s.once('open', done);
        s.once('error', done);
        s.once('close', done);
      });
    },
    async write(bytes) {
      const s = stream!;
      if (streamError) throw writeFailed(streamError);
      if (s.write(bytes)) return;
      await new Promise<void>((resolve, reject) => {
        const done = (): void => {
          s.off('drain', done);
          s.off('close', done);
          if (streamError) reject(writeFailed(streamError));
          else if (s.destroyed) reject(failure('the download ended'));
          else resolve();
        };
        s.on('drain', done);
        s.on('close', done);
      });
    },
    finish() {
      const s = stream!;
      return new Promise<void>((resolve, reject) => {
        s.end((err?: Error | null) => (err ? reject(writeFailed(err)) : resolve()));
      });
    },
    async abort() {
      aborted = true;
      const s = stream;
      if (!s || !fs) return; // nothing was opened
      if (!s.closed) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        });
      }
      if (opened) await fs.promises.rm(filePath, { force: true });
    },
  };
}
