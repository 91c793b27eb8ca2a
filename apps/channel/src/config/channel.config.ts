import { commonConfigShape, databaseConfigShape, env, loadConfig, metricsConfigShape, sharedConfigShapes } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  ...metricsConfigShape,
  ...sharedConfigShapes.channelMembers,
  ...sharedConfigShapes.channelRecovery,
  /** Above this many members MemberJoined/MemberLeft stop and counts slow down (agora-rtm 1.x). */
  MEMBER_EVENTS_MAX: env.int(512, 1),
  /** MemberCountUpdated at most once per this, up to MEMBER_EVENTS_MAX members … */
  COUNT_INTERVAL_MS: env.int(1_000, 50),
  /** … and at most once per this above it. */
  COUNT_INTERVAL_LARGE_MS: env.int(3_000, 50),
  /** How often the leader checks counts and memberships of users who went offline. */
  LEADER_TICK_MS: env.int(250, 20),
  /**
   * How often each replica checks that the recovery stream exists and creates it again if not (a
   * NATS restart drops memory streams; a reconnect also triggers the check at once).
   */
  RECOVERY_STREAM_CHECK_MS: env.int(5_000, 100),
});

export type ChannelConfig = z.infer<typeof schema>;

let cached: Readonly<ChannelConfig> | undefined;
export function channelConfig(): Readonly<ChannelConfig> {
  return (cached ??= loadConfig(schema));
}
export const CHANNEL_CONFIG = Symbol('CHANNEL_CONFIG');
