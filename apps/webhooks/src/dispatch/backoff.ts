/**
 * The delay before retry number `attempt` (1 = the first retry): "full jitter" — a random delay from 0
 * to min(max, base × 2^(attempt-1)) — so the retries of many failed deliveries spread out instead of
 * arriving together when the endpoint comes back.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 52));
  return Math.floor(random() * ceiling);
}

/** Whether a delivery queued at `createdAtMs` is past its retry horizon at the next attempt's time. */
export function pastHorizon(createdAtMs: number, nextAttemptAtMs: number, horizonMs: number): boolean {
  return nextAttemptAtMs > createdAtMs + horizonMs;
}
