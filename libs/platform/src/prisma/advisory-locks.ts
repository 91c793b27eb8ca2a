/**
 * Postgres advisory lock keys Parley takes, in one place so no two features collide. Prisma's
 * migration engine takes 72707369 itself while migrating.
 */
export const ADVISORY_LOCKS = {
  /** Held by the channel leader on a connection of its own (second key: hash of the subject prefix). */
  CHANNEL_LEADER: 72_707_370,
  /** Transaction lock of the attributes orphan sweep: one replica sweeps at a time. */
  ATTRIBUTES_SWEEP: 72_707_371,
} as const;
