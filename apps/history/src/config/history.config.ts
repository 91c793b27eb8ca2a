import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@parley/platform';
import { z } from 'zod';

const DAY_MS = 24 * 3600_000;

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  /** How long messages are kept (Agora: 7 days); an app's own setting (apps.history_retention_ms) overrides it. */
  HISTORY_RETENTION_MS: env.int(7 * DAY_MS, 3600_000),
  /** Bytes one app may keep (Agora: 2 GB); over it, its oldest hours stop being returned. apps.history_max_bytes overrides it. */
  HISTORY_MAX_BYTES: env.int(2 * 1024 ** 3, 1024),
  /** Captured messages after which a replica writes what it has taken (else at the end of each turn of its event loop). */
  HISTORY_WRITE_BATCH: env.int(500, 1, 10_000),
  /**
   * How long one pull request of the continuous pull waits while the queue is idle (≥ 1 s, NATS's
   * minimum). Messages arrive at once whatever it is; it sets how often an idle replica renews its pull
   * (and the server's idle heartbeats: every half of it), and how soon a pull lost to a NATS restart is
   * noticed (two missed heartbeats). 30 s is nats.js's default (it was 5 s: a wake-up every 2.5 s idle).
   */
  HISTORY_FETCH_WAIT_MS: env.int(30_000, 1_000),
  /** A capture not acknowledged within this is handed to another replica (a replica that died mid-batch). */
  HISTORY_ACK_WAIT_MS: env.int(30_000, 1_000),
  /** How often (± 20 %) each replica creates the coming days' partitions, drops expired ones and applies the size caps. */
  HISTORY_MAINTENANCE_MS: env.int(600_000, 1_000),
  /** Days of partitions created ahead of today. */
  HISTORY_PARTITIONS_AHEAD_DAYS: env.int(2, 1, 30),
  /** How long the queue keeps captures the service has not stored (its outage budget). */
  HISTORY_QUEUE_MAX_AGE_MS: env.int(7 * DAY_MS, 60_000),
});

export type HistoryConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readHistoryConfig(source: NodeJS.ProcessEnv = process.env): Readonly<HistoryConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<HistoryConfig> | undefined;
export function historyConfig(): Readonly<HistoryConfig> {
  return (cached ??= readHistoryConfig());
}
export const HISTORY_CONFIG = Symbol('HISTORY_CONFIG');
