import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment once, at boot, against a zod schema and returns a typed, frozen config.
 * Every problem is listed in one message, each with the value it rejects (`HEARTBEAT_MS="abc" is
 * not a number`), so an operator fixes them all in one go.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  // Per-parse messages only replace zod's defaults: a schema's own message always wins.
  const parsed = schema.safeParse(env, { error: describeIssue });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${formatIssue(issue, env)}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/** Messages are predicates of the variable ("is not a number", "must be …"): they follow `NAME="value"`. */
const PREDICATE = /^(is|must|may|has)\b/;
const SECRET_NAME = /SECRET|PASSWORD|CREDENTIAL|TOKEN|(^|_)KEY$/;
const SHOWN_CHARS = 80;

function formatIssue(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const name = issue.path.map(String).join('.') || '(env)';
  const raw = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
  const subject = raw === undefined ? name : `${name}=${shownValue(name, raw)}`;
  return PREDICATE.test(issue.message) ? `${subject} ${issue.message}` : `${subject}: ${issue.message}`;
}

/** The rejected value as the operator typed it, quoted; never a secret or a URL's password. */
function shownValue(name: string, raw: string): string {
  if (SECRET_NAME.test(name)) return `(hidden, ${raw.length} characters)`;
  const masked = raw.replace(/(\/\/[^/:@\s]*:)[^@\s/]*@/g, '$1***@');
  return JSON.stringify(masked.length > SHOWN_CHARS ? `${masked.slice(0, SHOWN_CHARS)}…` : masked);
}

/** Plain words for zod's default messages of schemas written without one of the `env` helpers. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `is not a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `must match ${String(issue.pattern)}` : `is not a valid ${issue.format}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return undefined;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : undefined;
    case 'custom':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'not_multiple_of':
    case 'unrecognized_keys':
      return undefined; // zod's own words
  }
}

const BOOLEANS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

/** zod helpers for environment variables (all strings); their messages show the rejected value's problem. */
export const env = {
  /** A whole number from `min` to `max`; an empty value is not a number (it is not 0). */
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => {
    const range = max === Number.MAX_SAFE_INTEGER ? `is too small: must be at least ${min}` : `is out of range: must be from ${min} to ${max}`;
    return z
      .preprocess(
        (v) => (typeof v === 'string' && v.trim() === '' ? Number.NaN : v),
        z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number' }).min(min, { error: range }).max(max, { error: range }),
      )
      .default(def);
  },
  bool: (def: boolean) =>
    z
      .enum(BOOLEANS, { error: `must be one of ${BOOLEANS.join(', ')}` })
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  /** One of a fixed set of words. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
    z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(def),
  /** One URL, or a comma-separated list, each starting with one of `protocols`. */
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
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  PARLEY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "-" and "_"')
    .default('parley'),
  /** Port of the HTTP server (health, metrics; the gateway's API and WebSocket). 0 = any free port. */
  PORT: env.int(0, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  /**
   * Connections the kernel completes and queues for the HTTP server before it accepts them. Node's
   * default (511) overflows when a gateway's clients all come back at once (a reconnect storm): the
   * kernel then drops their handshakes and the clients retry after 1 s, 3 s, 7 s. Linux caps it at
   * net.core.somaxconn (4096 by default since 5.4).
   */
  LISTEN_BACKLOG: env.int(4096, 1, 65535),
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
  /**
   * A pooled connection unused this long is closed. Longer than the periodic jobs' intervals, so an
   * idle process reuses one connection instead of opening one per run (a new Postgres backend costs
   * the server ~10 ms of CPU, a query on a warm one ~0.2 ms). 0: never closed.
   */
  DATABASE_POOL_IDLE_MS: env.int(300_000, 0),
};
export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_POOL_IDLE_MS: number;
}

/**
 * Settings that several apps must agree on, defined once: each app spreads the groups it reads,
 * and a deployment sets the variable once for all of them (docs/operations.md).
 */
export const sharedConfigShapes = {
  /** gateway (keeps a lost connection's session), presence (counts it OFFLINE after it). */
  reconnectWindow: {
    RECONNECT_WINDOW_MS: env.int(30_000, 1_000),
  },
  /** gateway (replays to a rejoining member), channel (the recovery stream's limits). */
  channelRecovery: {
    RECOVERY_MAX_MESSAGES: env.int(32, 1, 10_000),
    RECOVERY_MAX_AGE_MS: env.int(30_000, 1_000),
  },
  /** gateway (asks for), channel (returns) at most this many members; a random subset above it. */
  channelMembers: {
    GET_MEMBERS_MAX: env.int(512, 1),
  },
};

/** Apps whose gauges count database rows (presence, channel): how often a scrape may run those counts. */
export const metricsConfigShape = {
  METRICS_REFRESH_MS: env.int(15_000, 1_000),
};
