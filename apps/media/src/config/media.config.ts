import { MEDIA_LIMITS } from '@parley/contracts';
import { commonConfigShape, databaseConfigShape, env, eventRetentionConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;
const MIB = 1024 * 1024;

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  /** The S3 server (MinIO in production). The dev defaults below match `npm start`'s embedded s3rver. */
  S3_ENDPOINT: env.url('http://127.0.0.1:9000', ['http://', 'https://']).refine((v) => !v.includes(','), 'one URL only'),
  S3_ACCESS_KEY: z.string().min(1).default('S3RVER'),
  S3_SECRET_KEY: z.string().min(1).default('S3RVER'),
  /** Created at start when missing. */
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 lowercase letters, digits, "." and "-")')
    .default('parley-media'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Largest file → SIZE_OVERFLOW. */
  MEDIA_MAX_BYTES: env.int(MEDIA_LIMITS.MAX_BYTES, 1),
  /** Media (row and object) are deleted this long after their upload. */
  MEDIA_TTL_MS: env.int(7 * DAY_MS, 1),
  /**
   * How often (± 20 %) each replica deletes expired media (each row is taken by one replica). An
   * expired media is refused at once; its row and object go within this × 1.2 of its expiry.
   */
  MEDIA_EXPIRY_SWEEP_MS: env.int(60_000, 10),
  /** An upload that receives nothing for this long is aborted. */
  MEDIA_UPLOAD_IDLE_MS: env.int(30_000, 10),
  /** Most bytes one read returns. */
  MEDIA_READ_MAX_BYTES: env.int(MEDIA_LIMITS.READ_BYTES, 1, 16 * MIB),
  /**
   * Bytes an upload holds in memory before sending them to S3 as one part of a multipart upload
   * (S3's minimum part is 5 MiB); a file up to this size is sent in one PUT at its end.
   */
  MEDIA_PART_BYTES: env.int(5 * MIB, 5 * MIB, 512 * MIB),
  /** Retention of its events in the event record (kind `media`: the webhooks). */
  ...eventRetentionConfigShape,
});

export type MediaConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readMediaConfig(source: NodeJS.ProcessEnv = process.env): Readonly<MediaConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<MediaConfig> | undefined;
export function mediaConfig(): Readonly<MediaConfig> {
  return (cached ??= readMediaConfig());
}
export const MEDIA_CONFIG = Symbol('MEDIA_CONFIG');
