import { ErrorCode, ParleyError } from '@parley/contracts';
import type { Session } from './session';

export interface Rate {
  limit: number;
  windowMs: number;
}

/**
 * Takes one call from the session's budget `name`, or throws `code` (TOO_OFTEN by default) with
 * retryAfterMs: when the budget has room again.
 */
export function enforceRate(session: Session, name: string, { limit, windowMs }: Rate, code: ErrorCode = ErrorCode.TOO_OFTEN, what = 'calls'): void {
  const limiter = session.limiter(name, limit, windowMs);
  const now = Date.now();
  if (!limiter.tryTake(now)) throw new ParleyError(code, `at most ${limit} ${what} per ${windowMs} ms`, limiter.retryAfter(now));
}
