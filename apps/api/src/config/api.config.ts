import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@parley/platform';
import { z } from 'zod';

/** "limit/windowMs", e.g. "500/1000" = 500 per second. */
const rate = (def: string) =>
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must look like 500/1000 (requests/milliseconds)')
    .default(def)
    .transform((v) => {
      const [limit, windowMs] = v.split('/').map(Number) as [number, number];
      return { limit, windowMs };
    });

/** Browser origins exactly as a browser sends them: scheme://host[:port], no path, no trailing slash. */
const isOrigin = (o: string): boolean => {
  try {
    const url = new URL(o);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === o;
  } catch {
    return false;
  }
};
const origins = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  )
  .refine((list) => list.every(isOrigin), 'must be a comma-separated list of origins like http://127.0.0.1:8080 (scheme://host[:port], no path)');

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.int(8090, 0, 65535),
  /**
   * Bearer token of the admin API (/v1/admin). Empty: the admin API answers 403 to everyone; with
   * NODE_ENV=production it is required (the app does not start without it).
   */
  ADMIN_TOKEN: z.string().default(''),
  NODE_ENV: z.string().default('development'),
  /** Peer + channel sends per app, over all API replicas (Agora: 500/s per App ID). Over it: 429. */
  API_SEND_RATE: rate('500/1000'),
  /** Event-queue reads per app, over all replicas (Agora: 10/s). */
  API_EVENTS_RATE: rate('10/1000'),
  /** Other requests (status, members, attributes) per app, over all replicas. */
  API_QUERY_RATE: rate('200/1000'),
  /** Message-history reads per app (Agora's query, handle and count; the /v1 pages), over all replicas (Agora: 100/s). */
  API_HISTORY_RATE: rate('100/1000'),
  /** Largest message payload (Agora: 32 KB). */
  MESSAGE_MAX_BYTES: env.int(32 * 1024, 1),
  /** Largest request body accepted (JSON), before any parsing of its fields. */
  API_BODY_MAX_BYTES: env.int(64 * 1024, 1024),
  /** How long a send waits for the receiver's gateway (which waits for the client's ACK). */
  PEER_DELIVERY_TIMEOUT_MS: env.int(6_000, 100),
  /** Requests to Parley's services time out after this (→ 408 / UNAVAILABLE). */
  SERVICE_TIMEOUT_MS: env.int(5_000, 100),
  /** Customer credentials and app records are cached this long (a revoked key stops working within it). */
  AUTH_CACHE_TTL_MS: env.int(10_000, 0),
  /** How often replicas tell each other what they counted against the shared rate limits. */
  RATE_SYNC_MS: env.int(100, 10),
  /** Webhook URLs may be plain http:// (else https:// only). For local development and tests. */
  WEBHOOK_ALLOW_HTTP: env.bool(false),
  /**
   * Webhook test pings may go to loopback, private, link-local (…) addresses. Off: an app owner
   * cannot make Parley probe its internal network. Tests set it, with receivers on 127.0.0.1.
   */
  WEBHOOK_ALLOW_PRIVATE: env.bool(false),
  /**
   * Browser origins allowed to call /v1 and /v1/admin from a page (CORS), exactly (the operator
   * console's origin, e.g. http://127.0.0.1:8080). Empty: no CORS headers at all.
   */
  API_CORS_ORIGINS: origins,
  /** POST /v1/admin/apps/{appid}/tokens mints login tokens of certified apps (off: 403). */
  ADMIN_TOKEN_MINTING: env.bool(true),
  /** How long GET /v1/admin/stats waits for the gateways' answers (less when every live gateway answered). */
  ADMIN_STATS_WINDOW_MS: env.int(300, 20, 5_000),
});

export type ApiConfig = z.infer<typeof schema>;
export const API_CONFIG = Symbol('API_CONFIG');

export function apiConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  return loadConfig(
    schema.refine((c) => c.NODE_ENV !== 'production' || c.ADMIN_TOKEN.length >= 16, {
      path: ['ADMIN_TOKEN'],
      message: 'must be set (at least 16 characters) when NODE_ENV=production',
    }),
    env,
  );
}
