import { commonConfigShape, databaseConfigShape, env, loadConfig, metricsConfigShape } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  ...metricsConfigShape,
  /** Above this many members MemberJoined/MemberLeft stop and counts slow down (agora-rtm 1.x). */
  MEMBER_EVENTS_MAX: env.int(512, 1),
  /** getMembers returns at most this many (a random subset above it). */
  GET_MEMBERS_MAX: env.int(512, 1),
  /** MemberCountUpdated at most once per this, up to MEMBER_EVENTS_MAX members … */
  COUNT_INTERVAL_MS: env.int(1_000, 50),
  /** … and at most once per this above it. */
  COUNT_INTERVAL_LARGE_MS: env.int(3_000, 50),
  /** How often the leader checks counts and memberships of users who went offline. */
  LEADER_TICK_MS: env.int(250, 20),
  /** Channel messages kept for members who reconnect: at most this many per channel … */
  RECOVERY_MAX_MESSAGES: env.int(32, 1, 10_000),
  /** … and this old. */
  RECOVERY_MAX_AGE_MS: env.int(30_000, 1_000),
});

export type ChannelConfig = z.infer<typeof schema>;

let cached: Readonly<ChannelConfig> | undefined;
export function channelConfig(): Readonly<ChannelConfig> {
  return (cached ??= loadConfig(schema));
}
export const CHANNEL_CONFIG = Symbol('CHANNEL_CONFIG');
