import { LOGIN_TOKEN_FORMATS } from '@parley/tokens';
import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/** Minted login tokens: 1 s – 1 day (default 1 hour). Longer ones: `parley token`. */
export const MINT_EXPIRE_MAX_SECONDS = 86_400;
export const MINT_EXPIRE_DEFAULT_SECONDS = 3_600;
/** A lookup lists at most this many channels of a user, or members of a channel. */
export const LOOKUP_LIST_MAX = 1_000;

const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });
const Count = z.number().int().min(0);
const Status = z.enum(['ONLINE', 'UNREACHABLE', 'OFFLINE']);
const MessageTotals = z
  .strictObject({
    peer: Count.meta({ description: 'Peer messages accepted from SDK clients.' }),
    channel: Count.meta({ description: 'Channel messages accepted from SDK clients.' }),
  })
  .meta({ id: 'AdminMessageTotals', description: 'Monotonic totals since the gateway process(es) started (server API sends are not counted).' });

export const MintTokenBody = z
  .strictObject({
    uid: UserId,
    expireSeconds: z
      .number()
      .int()
      .min(1)
      .max(MINT_EXPIRE_MAX_SECONDS)
      .optional()
      .meta({ description: `Lifetime of the login privilege, seconds (default ${MINT_EXPIRE_DEFAULT_SECONDS}, at most ${MINT_EXPIRE_MAX_SECONDS}).` }),
    format: z.enum(LOGIN_TOKEN_FORMATS).optional().meta({ description: 'Token format: 007 (AccessToken2, default) or 006.' }),
  })
  .meta({ id: 'AdminMintTokenRequest' });
export type MintTokenBody = z.infer<typeof MintTokenBody>;

export const AdminMintedToken = z
  .strictObject({
    token: z.string().meta({ description: 'The RTM login token: `client.login({uid, token})`.' }),
    uid: z.string(),
    format: z.enum(LOGIN_TOKEN_FORMATS),
    expiresAt: Timestamp.meta({ description: 'When the login privilege ends (ISO 8601, UTC).' }),
  })
  .meta({ id: 'AdminMintedToken' });
export type AdminMintedTokenView = z.infer<typeof AdminMintedToken>;

export const StatsQuery = z.strictObject({ appId: AppIdParam.optional().meta({ description: 'Count only this app (default: every app).' }) });
export type StatsQuery = z.infer<typeof StatsQuery>;

const GatewayStats = z
  .strictObject({
    id: z.string().meta({ description: 'The gateway’s GATEWAY_ID.' }),
    startedAt: Timestamp.meta({ description: 'When this gateway process started: its message totals count from then.' }),
    sessions: Count.meta({ description: 'Sessions it holds (connected, or inside their reconnect window); of appId only when given.' }),
    connections: Count.meta({ description: 'Open WebSocket connections (logged in or not); with appId, that app’s connected sessions.' }),
    messages: MessageTotals,
  })
  .meta({ id: 'AdminGatewayStats' });

export const AdminStats = z
  .strictObject({
    at: Timestamp.meta({ description: 'When the counts were collected.' }),
    appId: z.string().nullable().meta({ description: 'The app counted; null: every app.' }),
    sessions: z
      .strictObject({
        online: Count.meta({ description: 'Logged-in sessions with their connection up (the session registry).' }),
        unreachable: Count.meta({ description: 'Sessions inside their reconnect window (connection lost, or their gateway silent).' }),
      })
      .meta({ description: 'Current sessions over the cluster (the session registry, all gateways).' }),
    channels: Count.meta({ description: 'Channels with at least one member.' }),
    members: Count.meta({ description: 'Channel memberships.' }),
    gateways: z.array(GatewayStats).meta({ description: 'The gateways that answered within ADMIN_STATS_WINDOW_MS, by id.' }),
    gatewaysKnown: Count.meta({
      description: 'Gateway processes with a live heartbeat in the registry (more than answered: some were slow or are another deployment’s).',
    }),
    messages: MessageTotals.meta({
      description: 'Sums of the answering gateways’ totals: compute msg/s from two polls (a drop means a gateway restarted or did not answer).',
    }),
  })
  .meta({ id: 'AdminStats' });
export type AdminStatsView = z.infer<typeof AdminStats>;

export const AdminUserParams = z.strictObject({ appid: AppIdParam, uid: UserId });
export const AdminChannelParams = z.strictObject({ appid: AppIdParam, channel: ChannelName });

const Metadata = z
  .strictObject({
    majorRevision: z.number().int().meta({ description: 'Grows with every write of the set; 0: never written.' }),
    items: z.array(
      z.strictObject({
        key: z.string(),
        value: z.string(),
        revision: z.number().int(),
        updateTs: z.number().int().meta({ description: 'Unix ms of the write when it asked enableRecordTs, else 0.' }),
        authorUserId: z.string().meta({ description: 'Its writer when it asked enableRecordUserId, else "".' }),
      }),
    ),
  })
  .meta({ id: 'AdminMetadata' });

export const AdminUser = z
  .strictObject({
    appId: z.string(),
    uid: z.string(),
    status: Status,
    sessions: z
      .array(
        z.strictObject({
          gatewayId: z.string().meta({ description: 'GATEWAY_ID of the gateway holding the session.' }),
          since: Timestamp.meta({ description: 'When it logged in (or resumed on that gateway).' }),
          status: Status.exclude(['OFFLINE']),
        }),
      )
      .meta({ description: 'Its registered session (at most one per uid: a newer login replaces it); empty when OFFLINE.' }),
    channels: z.array(z.string()).meta({ description: `Channels it is a member of, in name order (at most ${LOOKUP_LIST_MAX}).` }),
    attributes: z.record(z.string(), z.string()).meta({ description: 'User attributes of its current login ({} when not logged in).' }),
    metadata: Metadata.meta({ description: 'User metadata (kept after logout; majorRevision 0: never written).' }),
  })
  .meta({ id: 'AdminUser' });
export type AdminUserView = z.infer<typeof AdminUser>;

export const AdminChannel = z
  .strictObject({
    appId: z.string(),
    channel: z.string(),
    memberCount: Count,
    members: z.array(z.string()).meta({ description: `Members in uid order, the first ${LOOKUP_LIST_MAX}.` }),
    attributes: z
      .record(
        z.string(),
        z.strictObject({
          value: z.string(),
          lastUpdateUserId: z.string(),
          lastUpdateTs: z.number().int().meta({ description: 'Unix ms of the write (server clock).' }),
        }),
      )
      .meta({ description: 'Channel attributes.' }),
    metadata: Metadata.meta({ description: 'Channel metadata (majorRevision 0: never written).' }),
  })
  .meta({ id: 'AdminChannel' });
export type AdminChannelView = z.infer<typeof AdminChannel>;
