import { INVITATION_LIMITS } from '@parley/contracts';
import { commonConfigShape, databaseConfigShape, env, eventRetentionConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  /** SENT without the callee's client acknowledging it → FAILED/PEER_NO_RESPONSE (agora-rtm: 30 s). */
  INVITATION_ACK_TIMEOUT_MS: env.int(30_000, 1),
  /** RECEIVED without an answer → FAILED/INVITATION_EXPIRE (agora-rtm: 60 s). */
  INVITATION_EXPIRE_MS: env.int(60_000, 1),
  /** ACCEPT_PENDING without the caller's client confirming → FAILED/ACCEPT_FAILURE (agora-rtm: 5 s). */
  INVITATION_ACCEPT_TIMEOUT_MS: env.int(5_000, 1),
  /**
   * Each replica's safety sweep (± 20 %) for invitations past their deadline (each is failed by one
   * replica). Deadlines do not wait for it: the replica that sets one, and every replica that swept
   * since, wakes when it passes. The sweep finds those only a replica that died knew of: their
   * worst-case delay is this × 1.2. 30 s: an idle replica wakes for nothing else (issue 14, idle
   * cluster); 10 s until 2026-12.
   */
  INVITATION_SWEEP_MS: env.int(30_000, 10),
  /** Shortest time between two sweeps of a replica: an invitation fails at most this long after its deadline. */
  INVITATION_SWEEP_GAP_MS: env.int(250, 1),
  /** Longest content and response, in UTF-8 bytes. */
  INVITATION_TEXT_MAX_BYTES: env.int(INVITATION_LIMITS.TEXT_MAX_BYTES, 0),
  /** A sync still returns invitations ended this recently (a client reconnecting learns their outcome). */
  INVITATION_KEEP_RECENT_MS: env.int(120_000, 0),
  /** Ended invitations are deleted this long after their end (a resend of the same id is answered until then). */
  INVITATION_KEEP_ENDED_MS: env.int(600_000, 0),
  /** Retention of its events in the event record (kind `invite`: the webhooks). */
  ...eventRetentionConfigShape,
});

export type InvitationConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readInvitationConfig(source: NodeJS.ProcessEnv = process.env): Readonly<InvitationConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<InvitationConfig> | undefined;
export function invitationConfig(): Readonly<InvitationConfig> {
  return (cached ??= readInvitationConfig());
}
export const INVITATION_CONFIG = Symbol('INVITATION_CONFIG');
