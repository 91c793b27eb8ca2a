import { ErrorCode, ParleyError } from '@parley/contracts';
import { type ServiceReply } from '@parley/contracts/internal';
import { toParleyError } from '../errors/transient';

interface Log {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The failed ServiceReply for what a handler of `subject` threw: typed errors travel as their code,
 * transient ones as UNAVAILABLE, anything unexpected as UNKNOWN (logged here, once, with its stack).
 */
export function errorReply(subject: string, err: unknown, logger: Log): ServiceReply<never> {
  const typed = toParleyError(err);
  if (typed.code === ErrorCode.UNKNOWN) logger.error(`${subject}: ${(err as Error)?.stack ?? String(err)}`);
  else if (!(err instanceof ParleyError)) logger.warn(`${subject}: ${(err as Error)?.message ?? String(err)}`);
  const error = { code: typed.code, message: typed.message };
  return { ok: false, error: typed.retryAfterMs === undefined ? error : { ...error, retryAfterMs: typed.retryAfterMs } };
}
