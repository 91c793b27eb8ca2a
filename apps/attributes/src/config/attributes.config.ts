import { ATTRIBUTE_LIMITS, METADATA_LIMITS } from '@parley/contracts';
import { commonConfigShape, databaseConfigShape, env, eventRetentionConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  /** Longest key, in UTF-8 bytes (user and channel attributes). */
  ATTR_KEY_MAX_BYTES: env.int(ATTRIBUTE_LIMITS.KEY_MAX_BYTES, 1, 128),
  /** Longest value, in UTF-8 bytes. */
  ATTR_VALUE_MAX_BYTES: env.int(ATTRIBUTE_LIMITS.VALUE_MAX_BYTES, 1),
  /** Attributes of one user … */
  USER_ATTRS_MAX_KEYS: env.int(ATTRIBUTE_LIMITS.USER_MAX_KEYS, 1),
  /** … and their key + value bytes (also the most one call may carry). */
  USER_ATTRS_MAX_BYTES: env.int(ATTRIBUTE_LIMITS.USER_MAX_BYTES, 1),
  /** Attributes of one channel … */
  CHANNEL_ATTRS_MAX_KEYS: env.int(ATTRIBUTE_LIMITS.CHANNEL_MAX_KEYS, 1),
  /** … and their key + value bytes (also the most one call may carry). */
  CHANNEL_ATTRS_MAX_BYTES: env.int(ATTRIBUTE_LIMITS.CHANNEL_MAX_BYTES, 1),
  /** Keys one get-by-keys or delete call may name. */
  ATTR_KEYS_PER_CALL: env.int(ATTRIBUTE_LIMITS.KEYS_PER_CALL, 1),
  /**
   * How often (± 20 %) each replica removes user attribute sets whose login has ended without a
   * logout (idempotent across replicas; a check that finds none is one read). Such a set goes within
   * 60 s of idleness + this × 1.2.
   */
  USER_ATTRS_SWEEP_MS: env.int(30_000, 100),
  /** Longest metadata key (user and channel metadata; the column holds 128). */
  METADATA_KEY_MAX_BYTES: env.int(METADATA_LIMITS.KEY_MAX_BYTES, 1, 128),
  /** Longest metadata value, in UTF-8 bytes. */
  METADATA_VALUE_MAX_BYTES: env.int(METADATA_LIMITS.VALUE_MAX_BYTES, 1),
  /** Items of one user's metadata … */
  USER_METADATA_MAX_ITEMS: env.int(METADATA_LIMITS.USER_MAX_ITEMS, 1),
  /** … and their key + value bytes (also the most one call may carry). */
  USER_METADATA_MAX_BYTES: env.int(METADATA_LIMITS.USER_MAX_BYTES, 1),
  /** Items of one channel's metadata … */
  CHANNEL_METADATA_MAX_ITEMS: env.int(METADATA_LIMITS.CHANNEL_MAX_ITEMS, 1),
  /** … and their key + value bytes (also the most one call may carry). */
  CHANNEL_METADATA_MAX_BYTES: env.int(METADATA_LIMITS.CHANNEL_MAX_BYTES, 1),
  /** Items one metadata write may name. */
  METADATA_ITEMS_PER_CALL: env.int(METADATA_LIMITS.ITEMS_PER_CALL, 1),
  /** Retention of its events in the event record (kind `metadata`: the webhooks). */
  ...eventRetentionConfigShape,
});

export type AttributesConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readAttributesConfig(source: NodeJS.ProcessEnv = process.env): Readonly<AttributesConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<AttributesConfig> | undefined;
export function attributesConfig(): Readonly<AttributesConfig> {
  return (cached ??= readAttributesConfig());
}
export const ATTRIBUTES_CONFIG = Symbol('ATTRIBUTES_CONFIG');
