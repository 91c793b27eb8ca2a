import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { METADATA_LIMITS } from '@parley/contracts';
import { commonConfigShape, databaseConfigShape, env, loadConfig, sharedConfigShapes } from '@parley/platform';
import { z } from 'zod';

/** "limit/windowMs", e.g. "10/5000" = 10 per 5 s. */
const rate = (def: string) =>
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must look like 10/5000 (events/milliseconds)')
    .default(def)
    .transform((v) => {
      const [limit, windowMs] = v.split('/').map(Number) as [number, number];
      return { limit, windowMs };
    });

const schema = z.object({
  ...commonConfigShape,
  ...databaseConfigShape,
  ...sharedConfigShapes.reconnectWindow,
  ...sharedConfigShapes.channelRecovery,
  ...sharedConfigShapes.channelMembers,
  PORT: env.int(8080, 0, 65535),
  /** Unique per replica; sessions in the presence registry point at it. */
  GATEWAY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default(`${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`),
  /** Clients ping when idle this long; a socket silent for 2× + 1 s is dropped (→ UNREACHABLE). */
  HEARTBEAT_MS: env.int(2_000, 200),
  /**
   * The idle ping rate a gateway budgets for: once its clients' pings fill it (8,000 connections at
   * HEARTBEAT_MS by default), new clients are told a longer interval (ws/heartbeat-interval.ts);
   * 4,000 pings/s cost ~13 % of a core here.
   */
  HEARTBEAT_PINGS_PER_S: env.int(4_000, 1),
  /** The longest interval a client is told (its silence limit then is 2× + 1 s). */
  HEARTBEAT_MAX_MS: env.int(15_000, 200),
  /** How often the gateway proves to presence that it is alive (presence's GATEWAY_TTL_MS must be larger). */
  GATEWAY_HEARTBEAT_MS: env.int(2_000, 100),
  /** Largest WebSocket message accepted (a 32 KB message plus framing fits). */
  MAX_FRAME_BYTES: env.int(64 * 1024, 1024),
  /** A client whose unsent data exceeds this is cut off (slow consumer) instead of buffered without bound. */
  MAX_SEND_BUFFER_BYTES: env.int(4 * 1024 * 1024, 64 * 1024),
  /** TokenPrivilegeWillExpire is sent this long before the token's login privilege ends. */
  TOKEN_WARNING_MS: env.int(30_000, 0),
  /** App records (certificates) are cached this long. */
  APP_CACHE_TTL_MS: env.int(10_000, 0),
  LOGIN_RATE: rate('2/1000'),
  /** A socket that has not logged in this long after it opened is closed (4005). */
  LOGIN_TIMEOUT_MS: env.int(10_000, 100),
  /** Open sockets that have not logged in yet, per gateway; more upgrades get HTTP 503. */
  UNAUTHENTICATED_MAX: env.int(10_000, 1),
  /**
   * Requests of one connection waiting for their answer; more get TOO_OFTEN at once (a client that
   * floods requests is answered cheaply instead of stalling the gateway for everyone else).
   */
  REQUESTS_IN_FLIGHT_MAX: env.int(256, 1, 100_000),
  RENEW_TOKEN_RATE: rate('2/1000'),
  QUERY_ONLINE_RATE: rate('10/5000'),
  QUERY_ONLINE_MAX_UIDS: env.int(256, 1, 4096),
  /** Largest message: text bytes, or raw bytes + description bytes. */
  MESSAGE_MAX_BYTES: env.int(32 * 1024, 1),
  /** Peer and channel messages sent per session, together. */
  MESSAGE_RATE: rate('180/3000'),
  /** How long the sender's gateway waits for the receiver's gateway (which waits ACK_TIMEOUT_MS for the client). */
  PEER_DELIVERY_TIMEOUT_MS: env.int(6_000, 100),
  /** How long a pushed message waits for the client's ACK. */
  ACK_TIMEOUT_MS: env.int(4_000, 100),
  /** Offline messages fetched per round while flushing them to a session after login. */
  OFFLINE_FLUSH_BATCH: env.int(100, 1, 500),
  /** Channels one user may be in at once. */
  CHANNELS_PER_USER: env.int(20, 1),
  /** Joins of one channel by one user → JOIN_SAME_CHANNEL_TOO_OFTEN. */
  JOIN_SAME_CHANNEL_RATE: rate('2/5000'),
  GET_MEMBERS_RATE: rate('5/2000'),
  MEMBER_COUNT_RATE: rate('1/1000'),
  MEMBER_COUNT_MAX_IDS: env.int(32, 1, 1_000),
  /** User attribute writes (set, add/update, delete, clear together) and reads per session. */
  USER_ATTRS_WRITE_RATE: rate('10/5000'),
  USER_ATTRS_READ_RATE: rate('40/5000'),
  /** Channel attribute writes and reads per session (any channel). */
  CHANNEL_ATTRS_WRITE_RATE: rate('10/5000'),
  CHANNEL_ATTRS_READ_RATE: rate('10/5000'),
  /**
   * Metadata writes (user and channel together: set, add, update, delete, clear), reads, and
   * (un)subscribes per session. agora-rtm 1.6.0 publishes no metadata rates: the attribute ones.
   */
  METADATA_WRITE_RATE: rate('10/5000'),
  METADATA_READ_RATE: rate('40/5000'),
  METADATA_SUBSCRIBE_RATE: rate('10/5000'),
  /** History pages (channel and peer together) per session; each is one indexed query of the history service. */
  HISTORY_READ_RATE: rate('10/5000'),
  /** Users one session may subscribe to the metadata of (OVERFLOW beyond). */
  USER_METADATA_SUBSCRIPTIONS_MAX: env.int(METADATA_LIMITS.MAX_SUBSCRIBED, 1, 10_000),
  /** Users one session may subscribe to the online status of. */
  STATUS_SUBSCRIPTIONS_MAX: env.int(512, 1, 10_000),
  /** Each of subscribe, unsubscribe and queryPeersBySubscriptionOption per session. */
  STATUS_SUBSCRIBE_RATE: rate('10/5000'),
  /** Invitations sent per session; and, as a separate budget, cancels/accepts/refuses per session. */
  INVITATION_RATE: rate('60/3000'),
  /** Uploads begun, and media infos asked (createXMessageByMediaId, downloads), per session. */
  MEDIA_UPLOAD_RATE: rate('20/10000'),
  MEDIA_INFO_RATE: rate('40/10000'),
  /** Chunk reads of downloads per session (each up to 256 KB). */
  MEDIA_READ_RATE: rate('200/1000'),
  /** Rejoins after a reconnect (JOIN with `since`) per session, all channels together. */
  REJOIN_RATE: rate('60/5000'),
  /** SIGTERM: how long clients get to move to another gateway before the rest are closed. */
  DRAIN_TIMEOUT_MS: env.int(5_000, 0),
  /** Presence/service request timeout. */
  SERVICE_TIMEOUT_MS: env.int(5_000, 100),
  /** Serve the web console at /console/ (the SDK's script bundle at /sdk/ is always served). */
  CONSOLE_ENABLED: env.bool(true),
  /** The server API's URL as the console's pages reach it (its admin views call it); absent: those views say so. */
  CONSOLE_API_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL')
    .optional(),
  /** The app id the console's playground starts with (npm start: its static demo app). */
  CONSOLE_DEMO_APP_ID: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits')
    .optional(),
  /** WebSocket URLs the console connects to, comma-separated; absent: this gateway's, from the page's Host. */
  CONSOLE_GATEWAY_URLS: z
    .string()
    .refine((v) => v.split(',').every((u) => /^wss?:\/\/[^\s]+$/.test(u.trim())), 'must be ws:// or wss:// URLs, comma-separated')
    .transform((v) => v.split(',').map((u) => u.trim()))
    .optional(),
  /** The SDK's built package (parley-rtm.js and its package.json one level up); absent: next to this build (dist/libs/sdk/dist). */
  SDK_BUNDLE_DIR: z.string().min(1).optional(),
  /** The console's build; absent: next to this build (dist/apps/console). */
  CONSOLE_DIR: z.string().min(1).optional(),
});

export type GatewayConfig = z.infer<typeof schema>;

/** Reads and validates the configuration from an environment (tests pass their own). */
export function readGatewayConfig(source: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(schema, source);
}

let cached: Readonly<GatewayConfig> | undefined;
export function gatewayConfig(): Readonly<GatewayConfig> {
  return (cached ??= readGatewayConfig());
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
