import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment once, at boot, against a zod schema and returns a typed, frozen config.
 * Every problem is listed in one message so an operator fixes them all in one go.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/** zod helpers for environment variables (all strings). */
export const env = {
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: (def: string, protocols: string[]) =>
    z
      .string()
      .default(def)
      .refine((v) => v.split(',').every((u) => protocols.some((p) => u.trim().startsWith(p))), {
        message: `must be a URL starting with ${protocols.join(' or ')}`,
      }),
};

/** Variables every Parley process reads. */
export const commonConfigShape = {
  NATS_URL: env.url('nats://127.0.0.1:4222', ['nats://', 'tls://']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PARLEY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only')
    .default('parley'),
  /** Port of the HTTP server (health, metrics; the gateway's API and WebSocket). 0 = any free port. */
  PORT: env.int(0, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  SHUTDOWN_DEADLINE_MS: env.int(10_000, 100),
};

export const databaseConfigShape = {
  DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/parley', ['postgres://', 'postgresql://']),
  /**
   * Connections this process may open to Postgres. The sum over every process must stay below the
   * server's max_connections (100 by default): 6 apps × 2 replicas × 5 = 60 (docs/operations.md).
   */
  DATABASE_POOL_MAX: env.int(5, 1, 200),
  /** How long a query may wait for a free pooled connection before it fails (retryable UNAVAILABLE). */
  DATABASE_CONNECT_TIMEOUT_MS: env.int(5_000, 100),
};
export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
}

/** Apps whose gauges count database rows (presence, channel): how often a scrape may run those counts. */
export const metricsConfigShape = {
  METRICS_REFRESH_MS: env.int(15_000, 1_000),
};
