import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  /** A gateway whose heartbeat is older than this is presumed dead: its sessions turn UNREACHABLE. */
  GATEWAY_TTL_MS: env.int(6_000, 1_000),
  /** How long a session may stay UNREACHABLE (connection lost) before it counts as OFFLINE. */
  RECONNECT_WINDOW_MS: env.int(30_000, 1_000),
  /** How often each replica removes sessions that became OFFLINE (idempotent across replicas). */
  SWEEP_INTERVAL_MS: env.int(5_000, 200),
});

export type PresenceConfig = z.infer<typeof schema>;

let cached: Readonly<PresenceConfig> | undefined;
export function presenceConfig(): Readonly<PresenceConfig> {
  return (cached ??= loadConfig(schema));
}
export const PRESENCE_CONFIG = Symbol('PRESENCE_CONFIG');
