import { newTraceparent } from '../connection/traceparent';
import {
  MEDIA_LIMITS,
  Op,
  type MediaInfo,
  type MediaType,
  type MediaUploadBeginArgs,
  type MediaUploadBeginResult,
  type MediaUploadChunkArgs,
} from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { MEDIA_OPERATION_ERR, type RtmError } from '../errors';
import { MEDIA_OP, asRtmError, failure } from './media-errors';
import type { PayloadSource } from './media-payload';
import type { Transfer } from './media-transfer';

export interface UploadJob {
  core: ClientCore;
  transfer: Transfer;
  source: PayloadSource;
  name: string;
  type: MediaType;
  /** True once the session this upload began in is gone (lost, resumed elsewhere, ended): the server aborted it. */
  sessionLost(): boolean;
}

/**
 * MEDIA_UPLOAD_BEGIN, the chunks in order with at most `window` unanswered, MEDIA_UPLOAD_END.
 * Nothing is resent after a reconnect (the server aborted the upload with the old session): the
 * upload fails with FAILURE. A failure or cancel after BEGIN sends MEDIA_CANCEL when the session
 * still holds the upload.
 */
export async function upload(job: UploadJob): Promise<MediaInfo> {
  const { core, transfer, source } = job;
  transfer.total = source.size;
  const traceparent = newTraceparent();
  const request = <T>(op: Op, args: unknown): Promise<T> => {
    if (job.sessionLost()) return Promise.reject(lostError());
    return core.session
      .request<T>(op, args, { op: MEDIA_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: false, traceparent })
      .catch((err: unknown) => Promise.reject(uploadError(err, job)));
  };
  const beginArgs: MediaUploadBeginArgs = { size: source.size, name: job.name, type: job.type };
  const begin = await request<MediaUploadBeginResult>(Op.MEDIA_UPLOAD_BEGIN, beginArgs);
  if (!begin || typeof begin.uploadId !== 'string') throw failure('unexpected answer to MEDIA_UPLOAD_BEGIN');
  const { uploadId } = begin;
  let ended = false;
  transfer.onCleanup(() => {
    if (ended || job.sessionLost()) return;
    core.session
      .request(Op.MEDIA_CANCEL, { uploadId }, { op: MEDIA_OP, timeoutMs: core.timers.requestTimeoutMs, resendable: false, traceparent })
      .catch((err: unknown) => core.log.debug(`MEDIA_CANCEL of ${uploadId} failed`, err));
  });
  transfer.check();
  const chunkBytes = positive(begin.chunkBytes) ?? MEDIA_LIMITS.CHUNK_BYTES;
  const window = positive(begin.window) ?? MEDIA_LIMITS.WINDOW;

  // Answered chunks leave the set; a failed one fails the transfer at once (the loop sees it at its next check).
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  for await (const data of source.chunks(chunkBytes)) {
    transfer.check();
    while (inFlight.size >= window) {
      await Promise.race(inFlight);
      transfer.check();
    }
    const args: MediaUploadChunkArgs = { uploadId, seq: seq++, data };
    const answered: Promise<void> = request<null>(Op.MEDIA_UPLOAD_CHUNK, args).then(
      () => {
        inFlight.delete(answered);
        transfer.moved(data.byteLength);
      },
      (err: unknown) => {
        inFlight.delete(answered);
        transfer.fail(asRtmError(err));
      },
    );
    inFlight.add(answered);
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  transfer.check();
  const info = await request<MediaInfo>(Op.MEDIA_UPLOAD_END, { uploadId });
  ended = true;
  if (!info || typeof info.mediaId !== 'string' || info.mediaId === '') throw failure('unexpected answer to MEDIA_UPLOAD_END');
  return info;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function lostError(): RtmError {
  return failure('the connection was lost during the upload');
}

/**
 * A request that failed because its socket or session went away (no server code: a lost
 * connection, a resume elsewhere, logout) is FAILURE, not TIMEOUT or "not logged in": the server
 * dropped the upload with the session.
 */
function uploadError(err: unknown, job: UploadJob): RtmError {
  const rtm = asRtmError(err);
  if (rtm.serverCode === undefined && (job.sessionLost() || rtm.code === MEDIA_OPERATION_ERR.USER_NOT_LOGGED_IN)) {
    return failure('the connection was lost during the upload', err);
  }
  return rtm;
}
