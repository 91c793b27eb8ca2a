import { ErrorCode, ParleyError } from '@parley/contracts';
import type { Session } from './session';

export interface Rate {
  limit: number;
  windowMs: number;
}

/** Takes one call from the session's budget `name`, or throws TOO_OFTEN. */
export function enforceRate(session: Session, name: string, { limit, windowMs }: Rate): void {
  if (!session.allow(name, limit, windowMs)) throw new ParleyError(ErrorCode.TOO_OFTEN, `at most ${limit} calls per ${windowMs} ms`);
}
