import { commonConfigShape, databaseConfigShape, env, loadConfig, metricsConfigShape } from '@parley/platform';
import { z } from 'zod';

const HOUR_MS = 60 * 60 * 1000;

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  ...metricsConfigShape,
  /** A receiver must answer 2xx within this (connect, request and response) or the attempt failed. */
  WEBHOOK_TIMEOUT_MS: env.int(10_000, 100, 120_000),
  /** An event not delivered this long after it was queued is kept as dead (no more attempts). */
  WEBHOOK_RETRY_HORIZON_MS: env.int(24 * HOUR_MS, 1_000),
  /** First retry delay; each retry doubles it (full jitter: a random delay up to it), capped below. */
  WEBHOOK_BACKOFF_BASE_MS: env.int(1_000, 1),
  WEBHOOK_BACKOFF_MAX_MS: env.int(HOUR_MS, 1),
  /** Plain http:// endpoints (tests, development); https only otherwise. */
  WEBHOOK_ALLOW_HTTP: env.bool(false),
  /** Endpoints resolving to loopback, private, link-local, unique-local or multicast addresses (tests only). */
  WEBHOOK_ALLOW_PRIVATE: env.bool(false),
  /** Deliveries in flight per replica, all endpoints together. */
  WEBHOOK_CONCURRENCY: env.int(64, 1, 10_000),
  /** Deliveries in flight per replica to one endpoint (each ordering key has at most one anyway). */
  WEBHOOK_ENDPOINT_CONCURRENCY: env.int(8, 1, 1_000),
  /** An endpoint's circuit opens after this many consecutive failed attempts (per replica)… */
  WEBHOOK_CIRCUIT_FAILURES: env.int(5, 1),
  /** …and lets one probe through after this long. */
  WEBHOOK_CIRCUIT_COOLDOWN_MS: env.int(30_000, 10),
  /** Largest part of a response body read (the rest is discarded; only the status counts). */
  WEBHOOK_RESPONSE_MAX_BYTES: env.int(4_096, 0, 1_048_576),
  /**
   * How often (± 20 %) the fan-out looks at the event record and the messages stream while any
   * endpoint is enabled (one statement and one stream lookup; the fan-out transactions only when
   * either has something new). The latency from an event to its fan-out.
   */
  WEBHOOK_EVENTS_POLL_MS: env.int(200, 10),
  /**
   * How often (± 20 %) the fan-out checks for endpoints while none is enabled (one statement, which
   * also skips the record's cursor ahead). A created or enabled endpoint wakes it at once (a trigger's
   * NOTIFY), so this is only the net for a lost notification. Was 3 s before issue 14; a value set
   * explicitly keeps working as before.
   */
  WEBHOOK_IDLE_POLL_MS: env.int(30_000, 10),
  /** Events fanned out per transaction. */
  WEBHOOK_FANOUT_BATCH: env.int(500, 1, 10_000),
  /**
   * The longest (± 20 %) a replica's dispatcher sleeps without being woken. It claims when its
   * fan-out queued rows, when an attempt ends, on a notification (another replica's fan-out, a
   * replay, an endpoint enabled), at the next retry or lease end its last claim read, and when an
   * open circuit's cooldown ends; this is the net for what it cannot know (a lost notification, a
   * retry another replica set since). Was the poll interval, 1 s, before issue 14; a value set
   * explicitly keeps working (it only bounds the sleep).
   */
  WEBHOOK_DISPATCH_POLL_MS: env.int(30_000, 10),
  /** After an attempt ends, the next claim waits this long for others to end (one claim for several). */
  WEBHOOK_CLAIM_COALESCE_MS: env.int(5, 0, 1_000),
  /** A claimed delivery whose replica died is taken again this long after WEBHOOK_TIMEOUT_MS. */
  WEBHOOK_LEASE_MARGIN_MS: env.int(5_000, 100),
  /** Captured messages (message.peer / message.channel) are kept in the messages stream this long… */
  WEBHOOK_MESSAGES_MAX_AGE_MS: env.int(24 * HOUR_MS, 60_000),
  /** …and at most this many bytes (oldest dropped first; the fan-out logs what it never read). */
  WEBHOOK_MESSAGES_MAX_BYTES: env.int(1024 * 1024 * 1024, 1024 * 1024),
  /** Captured messages queued per transaction. */
  WEBHOOK_MESSAGES_BATCH: env.int(500, 1, 10_000),
  /** Delivered rows are deleted this long after delivery; dead rows after the horizon again. */
  WEBHOOK_DELIVERED_RETENTION_MS: env.int(HOUR_MS, 1_000),
  /** How often (± 20 %) each replica deletes expired outbox rows. */
  WEBHOOK_SWEEP_MS: env.int(60_000, 100),
});

export type WebhooksConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readWebhooksConfig(source: NodeJS.ProcessEnv = process.env): Readonly<WebhooksConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<WebhooksConfig> | undefined;
export function webhooksConfig(): Readonly<WebhooksConfig> {
  return (cached ??= readWebhooksConfig());
}
export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');
