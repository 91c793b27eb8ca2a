import { ErrorCode } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { Backoff } from '../connection/backoff';
import { sleep } from '../connection/timers';
import { ConnectionState } from '../enums';
import { RtmError, RtmTimeoutError } from '../errors';

/** Tries, in all, of one piece of resume work (re-push, resubscribe). */
export const RESUME_ATTEMPTS = 4;

/** Wire answers that say "busy or slow, try later". */
const RETRYABLE_WIRE = new Set<number>([ErrorCode.UNKNOWN, ErrorCode.TIMEOUT, ErrorCode.TOO_OFTEN, ErrorCode.UNAVAILABLE]);

/** A failure worth another try: the server was busy or slow, or no answer came in time. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof RtmError)) return false;
  if (err.serverCode !== undefined) return RETRYABLE_WIRE.has(err.serverCode);
  return err instanceof RtmTimeoutError;
}

/**
 * Work redone after a resume: `attempt` runs now and, after a retryable failure, again with
 * jittered backoff, RESUME_ATTEMPTS times at most — while `current()` holds (a newer resume or the
 * end of the session supersedes it) and the client is CONNECTED (else the next resume redoes it).
 * Failures are logged, never thrown.
 */
export async function retryAfterResume(core: ClientCore, what: string, attempt: () => Promise<void>, current: () => boolean): Promise<void> {
  const backoff = new Backoff(core.timers.backoffInitialMs, core.timers.backoffMaxMs);
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (!current()) return;
      const why = err instanceof Error ? err.message : String(err);
      if (n >= RESUME_ATTEMPTS || !isRetryable(err)) {
        core.log.error(`${what} after a reconnect failed: ${why}`);
        return;
      }
      const delay = backoff.next();
      core.log.warn(`${what} after a reconnect failed (${why}); trying again in ${Math.round(delay)} ms`);
      await sleep(delay);
      if (!current() || core.session.state !== ConnectionState.CONNECTED) return;
    }
  }
}
