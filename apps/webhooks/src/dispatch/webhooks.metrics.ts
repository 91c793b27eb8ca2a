import { counter, gauge, histogram } from '@parley/platform/telemetry';
import type { SendOutcome } from './webhook-sender';

/** The webhooks app's instruments. No attribute names an app, endpoint, user or channel. */
const attempts = counter('parley.webhooks.attempts', 'Delivery attempts, by result: delivered, http_error, timeout, network, refused');
const attemptResults = attempts.keyed((result: SendOutcome) => ({ result }));
for (const result of ['delivered', 'http_error', 'timeout', 'network', 'refused'] as const) attemptResults.get(result);

export function countAttempt(result: SendOutcome): void {
  attemptResults.get(result).add();
}

/** From the event (its ts in the record) to the receiver's 2xx: includes the fan-out and any retries. */
export const deliveryLatency = histogram(
  'parley.webhooks.delivery_latency',
  'Time from the event to its delivery (2xx)',
  's',
  [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
).bind();

export const deadDeliveries = counter('parley.webhooks.dead', 'Deliveries given up after the retry horizon (kept as dead)').bind();

export const fannedOutEvents = counter('parley.webhooks.enqueued', 'Outbox rows queued by the fan-out (one per event and endpoint)').bind();

export const pendingDeliveries = gauge('parley.webhooks.pending', 'Deliveries waiting (every app; recomputed at most every METRICS_REFRESH_MS)');

export const skippedMessages = counter(
  'parley.webhooks.messages_skipped',
  'Captured messages the messages stream dropped (its age or size limit) before the fan-out read them',
).bind();

/** An app with more deliveries pending than these is counted in parley_webhooks_apps_pending{over}. */
export const APP_PENDING_THRESHOLDS = [100, 1_000, 10_000] as const;
export const appsPending = gauge(
  'parley.webhooks.apps_pending',
  'Apps with more deliveries pending than `over` (100, 1000, 10000; recomputed at most every METRICS_REFRESH_MS)',
);
