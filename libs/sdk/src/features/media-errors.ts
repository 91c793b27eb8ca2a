import { MEDIA_OPERATION_ERR, RtmError, RtmInvalidArgumentError, RtmLimitExceededError, RtmUnknownError } from '../errors';

/** The error table of files and images (errors.ts MEDIA_OPERATION_ERR). */
export const MEDIA_OP = 'MEDIA_OPERATION';

export function invalidArgument(why: string, originalError?: unknown): RtmError {
  return new RtmInvalidArgumentError(`${MEDIA_OP}: ${why}.`, MEDIA_OPERATION_ERR.INVALID_ARGUMENT, { originalError });
}

export function sizeOverflow(why: string): RtmError {
  return new RtmLimitExceededError(`${MEDIA_OP}: ${why}.`, MEDIA_OPERATION_ERR.SIZE_OVERFLOW);
}

export function failure(why: string, originalError?: unknown): RtmError {
  return new RtmUnknownError(`${MEDIA_OP}: ${why}.`, MEDIA_OPERATION_ERR.FAILURE, { originalError });
}

export function canceled(): RtmError {
  return new RtmUnknownError(`${MEDIA_OP}: the transfer was canceled.`, MEDIA_OPERATION_ERR.CANCELED);
}

/** An RtmError as is; anything else (a stream or file error, …) as FAILURE. */
export function asRtmError(err: unknown): RtmError {
  if (err instanceof RtmError) return err;
  return failure(err instanceof Error ? err.message : String(err), err);
}
