import { commonConfigShape, databaseConfigShape, env, loadConfig, metricsConfigShape, sharedConfigShapes, eventRetentionConfigShape } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  ...metricsConfigShape,
  ...sharedConfigShapes.reconnectWindow,
  /** A gateway whose heartbeat is older than this is presumed dead: its sessions turn UNREACHABLE. */
  GATEWAY_TTL_MS: env.int(6_000, 1_000),
  /**
   * The longest a replica sleeps between two looks at the sweep's next deadline (it wakes at the
   * deadlines it knows of: a gateway's TTL, the end of a reconnect window); a deadline another replica
   * created meanwhile is met at most this late. Sweeping is idempotent across replicas.
   */
  SWEEP_INTERVAL_MS: env.int(5_000, 100),
  /** How often (± 20 %) each replica sweeps whatever the deadlines say. */
  SWEEP_SAFETY_MS: env.int(60_000, 100),
  /** Logins arriving within this many ms are registered by one statement (at most REGISTER_BATCH_MAX each). */
  REGISTER_BATCH_DELAY_MS: env.int(2, 0, 1_000),
  REGISTER_BATCH_MAX: env.int(500, 1, 10_000),
  /** Registering statements in flight at once per replica; logins arriving meanwhile join the next batch. */
  REGISTER_BATCH_WRITERS: env.int(2, 1, 100),
  /** Offline messages kept per receiver; the oldest is dropped for a newer one. */
  OFFLINE_MAX_PER_USER: env.int(200, 1),
  /** How long an offline message is kept. */
  OFFLINE_TTL_MS: env.int(7 * 24 * 3600_000, 1_000),
  /** Store requests arriving within this many ms are written in one transaction. */
  OFFLINE_BATCH_DELAY_MS: env.int(2, 0, 1_000),
  OFFLINE_BATCH_MAX: env.int(500, 1),
  /** How often expired offline messages are deleted. */
  OFFLINE_EXPIRY_SWEEP_MS: env.int(60_000, 100),
  /** The event record's pull queue (Agora's user_events): unread events kept per app; older unread ones are skipped. */
  EVENTS_QUEUE_MAX: env.int(2_000, 1, 100_000),
  /** Most events one take of that queue returns (a caller may ask for fewer). */
  EVENTS_TAKE_MAX: env.int(1_000, 1, 100_000),
  /** Retention of its events in the event record (kind `user`). */
  ...eventRetentionConfigShape,
  /** How often (± 20 %) each replica deletes user bans that ended (they are ignored from then on anyway). */
  BANS_SWEEP_MS: env.int(600_000, 1_000),
});

export type PresenceConfig = z.infer<typeof schema>;

let cached: Readonly<PresenceConfig> | undefined;
export function presenceConfig(): Readonly<PresenceConfig> {
  return (cached ??= loadConfig(schema));
}
export const PRESENCE_CONFIG = Symbol('PRESENCE_CONFIG');
