import { commonConfigShape, databaseConfigShape, env, loadConfig, metricsConfigShape, sharedConfigShapes, eventRetentionConfigShape } from '@parley/platform';
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
  /**
   * Shortest time between two leader ticks (counts due, memberships of users who went offline): a
   * count is published at most this late after it is due. The leader ticks only when a count changed,
   * a changed count comes due, or its safety sweep runs.
   */
  LEADER_TICK_MS: env.int(250, 20),
  /**
   * The leader's safety sweep (± 20 %): a tick even though nothing was announced, for a change whose
   * announcement was lost (a replica died between its commit and its NOTIFY) and for memberships of
   * users whose went-offline event no channel replica received. Their worst-case delay is this × 1.2.
   * 30 s: an idle leader wakes for nothing else (issue 14, idle cluster); 10 s until 2026-12.
   */
  LEADER_SWEEP_MS: env.int(30_000, 100),
  /**
   * How often (± 20 %) each replica checks that the recovery stream exists and creates it again if
   * not. A NATS restart drops memory streams, and the reconnect that follows triggers the check at
   * once; this covers a stream lost without a reconnect of this replica (deleted, or lost with
   * another server of a cluster): messages of at most this × 1.2 are then not recoverable.
   */
  RECOVERY_STREAM_CHECK_MS: env.int(30_000, 100),
  /** The event record's pull queue (Agora's channel_events): unread events kept per app; older unread ones are skipped. */
  EVENTS_QUEUE_MAX: env.int(2_000, 1, 100_000),
  /** Most events one take of that queue returns (a caller may ask for fewer). */
  EVENTS_TAKE_MAX: env.int(1_000, 1, 100_000),
  /** Retention of its events in the event record (kind `channel`). */
  ...eventRetentionConfigShape,
  /** How often (± 20 %) each replica deletes channel bans that ended (they are ignored from then on anyway). */
  BANS_SWEEP_MS: env.int(600_000, 1_000),
});

export type ChannelConfig = z.infer<typeof schema>;

let cached: Readonly<ChannelConfig> | undefined;
export function channelConfig(): Readonly<ChannelConfig> {
  return (cached ??= loadConfig(schema));
}
export const CHANNEL_CONFIG = Symbol('CHANNEL_CONFIG');
