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

/**
 * The data of a ServiceReply another process sent, or its failure as the ParleyError it carries (the
 * inverse of errorReply). Checked, never trusted: anything that is not a ServiceReply is UNKNOWN.
 * `detail`: what the UNKNOWN message shows of it (by default the reply itself).
 */
export function replyData<T>(subject: string, reply: unknown, detail: unknown = reply): T {
  const r = (reply && typeof reply === 'object' ? reply : {}) as { ok?: unknown; data?: T; error?: unknown };
  if (r.ok === true) return r.data as T;
  const error = (r.ok === false && r.error && typeof r.error === 'object' ? r.error : {}) as { code?: unknown; message?: unknown; retryAfterMs?: unknown };
  if (typeof error.code !== 'number') throw new ParleyError(ErrorCode.UNKNOWN, `${subject}: unexpected reply ${describe(detail)}`);
  throw new ParleyError(error.code as ErrorCode, String(error.message ?? ''), typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 200);
  } catch {
    return String(value);
  }
}

/**
 * The items of a gateway's batch request (`req[key]`, 1–`max` of them, each checked by its handler on
 * its own); INVALID_ARGUMENT for anything else, the whole request then changing nothing.
 */
export function batchItems(req: unknown, key: string, max: number): unknown[] {
  const items: unknown = req && typeof req === 'object' ? (req as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(items) || items.length === 0 || items.length > max) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `${key}: 1–${max}`);
  return items;
}
