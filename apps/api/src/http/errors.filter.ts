import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCode, errorCodeName, ParleyError } from '@parley/contracts';
import { isTransientError } from '@parley/platform';
import type { Request, Response } from 'express';
import { ApiError } from './api-error';
import { requestIdOf } from './request-id';

/** HTTP status of each typed error a service or a rule can throw. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.INVALID_USER_ID]: 400,
  [ErrorCode.INVALID_MESSAGE]: 400,
  [ErrorCode.INVALID_APP_ID]: 400,
  [ErrorCode.SIZE_OVERFLOW]: 400,
  [ErrorCode.EXCEED_LIMIT]: 400,
  [ErrorCode.OVERFLOW]: 400,
  [ErrorCode.NOT_IN_CHANNEL]: 400,
  [ErrorCode.TOO_OFTEN]: 429,
  [ErrorCode.TIMEOUT]: 408,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.USER_NOT_FOUND]: 404,
  [ErrorCode.MEDIA_NOT_FOUND]: 404,
  [ErrorCode.UNSUPPORTED_OP]: 501,
  // Metadata: the write conflicts with the set as it is (an add of an existing key, an update of a
  // missing one), or its compare-and-set lost.
  [ErrorCode.DUPLICATE_KEY]: 409,
  [ErrorCode.KEY_NOT_FOUND]: 409,
  [ErrorCode.OUTDATED_REVISION]: 412,
};

/** Agora's endpoints answer in Agora's shape; Parley's own in `{error: {code, message}, request_id}`. */
export const isAgoraPath = (path: string): boolean => path.startsWith('/dev/v2/');

/**
 * Every error becomes a typed JSON answer: validation and auth as thrown (ApiError), typed service
 * errors by their code, Nest's own (unknown route, body too large or not JSON) by their status,
 * infrastructure trouble as 503 with Retry-After, anything else as 500 without internals.
 */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const e = this.toApiError(err);
    const requestId = requestIdOf(req);
    if (e.status >= 500 && e.status !== 501 && e.status !== 503) this.logger.error({ msg: 'request failed', err, route: req.route?.path, requestId });
    else if (e.status >= 500) this.logger.warn({ msg: e.message, route: req.route?.path, status: e.status, requestId });
    if (e.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))));
    const body = isAgoraPath(req.path)
      ? { result: 'failed', request_id: requestId, code: e.code, message: e.message }
      : { error: { code: e.code, message: e.message }, request_id: requestId };
    if (!res.headersSent) res.status(e.status).json(body);
  }

  private toApiError(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (err instanceof ParleyError) {
      const status = STATUS[err.code] ?? 500;
      return new ApiError(status, errorCodeName(err.code).toLowerCase(), status === 500 ? 'internal error' : err.message, err.retryAfterMs);
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const code = status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : `http_${status}`;
      return new ApiError(status, code, status === 400 ? 'the body is not valid JSON' : err.message);
    }
    // body-parser's own (Express middleware, before Nest): too large, not JSON, bad charset.
    const parser = err as { type?: unknown; status?: unknown };
    if (typeof parser?.type === 'string' && parser.type.startsWith('entity.') && typeof parser.status === 'number' && parser.status < 500) {
      if (parser.status === 413) return new ApiError(413, 'payload_too_large', 'the body is too large');
      return new ApiError(parser.status, 'invalid_request', parser.type === 'entity.parse.failed' ? 'the body is not valid JSON' : 'the body cannot be read');
    }
    if (isTransientError(err)) return new ApiError(503, 'unavailable', 'a backing service is unavailable, retry', 1000);
    return new ApiError(500, 'internal_error', 'internal error');
  }
}
