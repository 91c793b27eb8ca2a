import 'zod-openapi';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject } from 'zod-openapi';
import {
  AgoraError,
  AppPathParams,
  ChannelEventsResponse,
  ChannelMessageBody,
  ChannelMessageResponse,
  IdempotencyKey,
  PeerMessageBody,
  PeerMessageQuery,
  PeerMessageResponse,
  UserEventsResponse,
  UserPathParams,
} from '../agora/agora.schemas';
import { adminPaths, adminSecuritySchemes } from '../admin/admin.openapi';
import { historyPaths } from './history.openapi';
import { agora, errors, json, parley } from './openapi.helpers';
import {
  ActingUidHeader,
  AttrsGetQuery,
  AttrsWriteResponse,
  ChannelAttrsBody,
  ChannelAttrsDeleteQuery,
  ChannelAttrsParams,
  ChannelAttrsResponse,
  UserAttrsBody,
  UserAttrsDeleteQuery,
  UserAttrsParams,
  UserAttrsResponse,
} from '../v1/attributes.schemas';
import {
  ChannelMetadataParams,
  MetadataDeleteQuery,
  MetadataResponse,
  MetadataWriteBody,
  MetadataWriteResponse,
  UserMetadataParams,
} from '../v1/metadata.schemas';
import {
  BanLiftResponse,
  ChannelBanBody,
  ChannelBanParams,
  ChannelBanResponse,
  ChannelBansQuery,
  ChannelBansResponse,
  KickBody,
  KickResponse,
  ModerationChannelParams,
  ModerationUserParams,
  UserBanResponse,
} from '../v1/moderation.schemas';
import {
  ApiErrorBody,
  ChannelParams,
  CountsQuery,
  CountsResponse,
  MembersQuery,
  MembersResponse,
  AppParams,
  StatusQuery,
  StatusResponse,
  UserChannelsResponse,
  UserParams,
} from '../v1/v1.schemas';

const idempotencyHeader = z.object({
  'idempotency-key': IdempotencyKey.optional().meta({ description: 'A retried request with the same key delivers once and gets the first answer.' }),
});

const USER_WRITE_ERRORS = {
  '400': 'Bad input, or over Agora’s attribute limits (size_overflow): nothing is changed',
  '403': 'Valid credentials without the right to this app, or an RTM token of another uid',
  '404': 'The user is not logged in (user_not_found): user attributes belong to a login; or unknown app',
};
/** Kicks and bans: customer credentials only. */
const MODERATION_ERRORS = {
  '400': 'Bad input (ids by the SDK’s rules, banSeconds / seconds out of range, reason too long, unknown fields)',
  '403': 'An RTM token (only a customer credential may kick or ban), or a credential without the right to this app',
};
const moderation = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({ tags: ['Parley'], security: [{ basic: [] }], ...op });

const CHANNEL_WRITE_ERRORS = {
  '400': 'Bad input, or over Agora’s attribute limits (size_overflow): nothing is changed',
  '403': 'Valid credentials without the right to this app, or an RTM token with X-Parley-Uid of another uid',
};

const METADATA_WRITE_ERRORS = {
  '400': 'Bad input, a malformed key or value (invalid_argument), or over the limits (size_overflow): nothing is changed',
  '403': 'Valid credentials without the right to this app; an RTM token writing another uid’s metadata, or naming another X-Parley-Uid',
  '409': 'An add of a key that exists (duplicate_key; also a key named twice), or an update of a key that does not (key_not_found): nothing is changed',
  '412': 'A majorRevision or item revision that no longer matches (outdated_revision): nothing is changed',
};

/** The write routes of one metadata path (user or channel): PUT set, POST add, PATCH update, DELETE. */
function metadataWrites(params: typeof UserMetadataParams | typeof ChannelMetadataParams, what: string) {
  const header = ActingUidHeader;
  const answer = {
    '200': { description: 'Written: subscribers / members get the whole new set first', ...json(MetadataWriteResponse) },
    ...errors(ApiErrorBody, METADATA_WRITE_ERRORS),
  };
  return {
    put: parley({
      summary: `Replace the metadata of ${what} (as set…Metadata)`,
      requestParams: { path: params, header },
      requestBody: json(MetadataWriteBody),
      responses: answer,
    }),
    post: parley({
      summary: `Add keys that do not exist to the metadata of ${what} (as add…Metadata)`,
      requestParams: { path: params, header },
      requestBody: json(MetadataWriteBody),
      responses: answer,
    }),
    patch: parley({
      summary: `Update keys that exist in the metadata of ${what} (as update…Metadata)`,
      requestParams: { path: params, header },
      requestBody: json(MetadataWriteBody),
      responses: answer,
    }),
    delete: parley({
      summary: `Delete keys (keys=) or every item (all=true) of the metadata of ${what}`,
      requestParams: { path: params, header, query: MetadataDeleteQuery },
      responses: answer,
    }),
  };
}

/** The OpenAPI 3.1 document of the server API, from the same zod schemas that validate the requests. */
export function buildOpenApiDocument(version: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley server API',
      version,
      description:
        'For app backends. Agora RTM 1.x RESTful endpoints at Agora’s paths (an Agora backend changes only its host), and Parley’s own endpoints under /v1.',
    },
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'Customer key : customer secret (parley customer add).' },
        agoraToken: { type: 'apiKey', in: 'header', name: 'x-agora-token', description: 'An RTM token (006 or 007) of the app.' },
        agoraUid: { type: 'apiKey', in: 'header', name: 'x-agora-uid', description: 'The uid the token was built for.' },
        ...adminSecuritySchemes,
      },
    },
    paths: {
      '/dev/v2/project/{appid}/rtm/users/{user_id}/peer_messages': {
        post: agora({
          summary: 'Send a peer-to-peer message as user_id',
          requestParams: { path: UserPathParams, query: PeerMessageQuery, header: idempotencyHeader },
          requestBody: json(PeerMessageBody),
          responses: {
            '200': { description: 'message_sent, message_delivered (wait_for_ack=true) or peer_offline', ...json(PeerMessageResponse) },
            ...errors(AgoraError, { '409': 'The same Idempotency-Key is still in progress' }),
          },
        }),
      },
      '/dev/v2/project/{appid}/rtm/users/{user_id}/channel_messages': {
        post: agora({
          summary: 'Send a channel message as user_id (who need not be a member)',
          requestParams: { path: UserPathParams, header: idempotencyHeader },
          requestBody: json(ChannelMessageBody),
          responses: {
            '200': { description: 'Sent to every member on every gateway', ...json(ChannelMessageResponse) },
            ...errors(AgoraError, { '409': 'The same Idempotency-Key is still in progress' }),
          },
        }),
      },
      '/dev/v2/project/{appid}/rtm/vendor/user_events': {
        get: agora({
          summary: 'Take Login/Logout events (destructive: each is returned once)',
          requestParams: { path: AppPathParams },
          responses: { '200': { description: 'Up to 1,000 events, oldest first', ...json(UserEventsResponse) }, ...errors(AgoraError) },
        }),
      },
      '/dev/v2/project/{appid}/rtm/vendor/channel_events': {
        get: agora({
          summary: 'Take Join/Leave events (destructive: each is returned once)',
          requestParams: { path: AppPathParams },
          responses: { '200': { description: 'Up to 1,000 events, oldest first', ...json(ChannelEventsResponse) }, ...errors(AgoraError) },
        }),
      },
      '/dev/v2/project/{appid}/rtm/hook/channel_events': {
        get: agora({
          summary: 'Same as vendor/channel_events',
          requestParams: { path: AppPathParams },
          responses: { '200': { description: 'Up to 1,000 events, oldest first', ...json(ChannelEventsResponse) }, ...errors(AgoraError) },
        }),
      },
      '/v1/apps/{appid}/users/status': {
        get: parley({
          summary: 'Online status of up to 256 users',
          requestParams: { path: AppParams, query: StatusQuery },
          responses: { '200': { description: 'ONLINE, UNREACHABLE (reconnecting) or OFFLINE per uid', ...json(StatusResponse) }, ...errors(ApiErrorBody) },
        }),
      },
      '/v1/apps/{appid}/users/{uid}/channels': {
        get: parley({
          summary: 'The channels a user is a member of',
          requestParams: { path: UserParams },
          responses: { '200': { description: 'Channel ids', ...json(UserChannelsResponse) }, ...errors(ApiErrorBody) },
        }),
      },
      '/v1/apps/{appid}/channels/counts': {
        get: parley({
          summary: 'Member counts of up to 32 channels',
          requestParams: { path: AppParams, query: CountsQuery },
          responses: { '200': { description: 'Count per channel', ...json(CountsResponse) }, ...errors(ApiErrorBody) },
        }),
      },
      '/v1/apps/{appid}/channels/{channel}/members': {
        get: parley({
          summary: 'Members of a channel, a page at a time in uid order',
          requestParams: { path: ChannelParams, query: MembersQuery },
          responses: { '200': { description: 'Member uids', ...json(MembersResponse) }, ...errors(ApiErrorBody) },
        }),
      },
      '/v1/apps/{appid}/users/{uid}/attributes': {
        get: parley({
          summary: 'Attributes of a user’s current login (as getUserAttributes / ByKeys)',
          requestParams: { path: UserAttrsParams, query: AttrsGetQuery },
          responses: {
            '200': { description: 'All attributes, or those of keys; {} when the user is not logged in', ...json(UserAttrsResponse) },
            ...errors(ApiErrorBody),
          },
        }),
        put: parley({
          summary: 'Replace the attributes of a user’s current login (as setLocalUserAttributes)',
          requestParams: { path: UserAttrsParams },
          requestBody: json(UserAttrsBody),
          responses: { '200': { description: 'Written', ...json(AttrsWriteResponse) }, ...errors(ApiErrorBody, USER_WRITE_ERRORS) },
        }),
        patch: parley({
          summary: 'Add or update attributes of a user’s current login (as addOrUpdateLocalUserAttributes)',
          requestParams: { path: UserAttrsParams },
          requestBody: json(UserAttrsBody),
          responses: { '200': { description: 'Written', ...json(AttrsWriteResponse) }, ...errors(ApiErrorBody, USER_WRITE_ERRORS) },
        }),
        delete: parley({
          summary: 'Delete keys (keys=) or every attribute (all=true) of a user’s current login',
          requestParams: { path: UserAttrsParams, query: UserAttrsDeleteQuery },
          responses: {
            '200': { description: 'Deleted (keys that did not exist are ignored)', ...json(AttrsWriteResponse) },
            ...errors(ApiErrorBody, USER_WRITE_ERRORS),
          },
        }),
      },
      '/v1/apps/{appid}/channels/{channel}/attributes': {
        get: parley({
          summary: 'Attributes of a channel (as getChannelAttributes / ByKeys; no membership needed)',
          requestParams: { path: ChannelAttrsParams, query: AttrsGetQuery },
          responses: {
            '200': { description: 'All attributes, or those of keys, with their last writer and time', ...json(ChannelAttrsResponse) },
            ...errors(ApiErrorBody),
          },
        }),
        put: parley({
          summary: 'Replace the attributes of a channel (as setChannelAttributes)',
          requestParams: { path: ChannelAttrsParams, header: ActingUidHeader },
          requestBody: json(ChannelAttrsBody),
          responses: {
            '200': { description: 'Written (members notified first when asked)', ...json(AttrsWriteResponse) },
            ...errors(ApiErrorBody, CHANNEL_WRITE_ERRORS),
          },
        }),
        patch: parley({
          summary: 'Add or update attributes of a channel (as addOrUpdateChannelAttributes)',
          requestParams: { path: ChannelAttrsParams, header: ActingUidHeader },
          requestBody: json(ChannelAttrsBody),
          responses: {
            '200': { description: 'Written (members notified first when asked)', ...json(AttrsWriteResponse) },
            ...errors(ApiErrorBody, CHANNEL_WRITE_ERRORS),
          },
        }),
        delete: parley({
          summary: 'Delete keys (keys=) or every attribute (all=true) of a channel',
          requestParams: { path: ChannelAttrsParams, header: ActingUidHeader, query: ChannelAttrsDeleteQuery },
          responses: {
            '200': { description: 'Deleted (members notified first when asked)', ...json(AttrsWriteResponse) },
            ...errors(ApiErrorBody, CHANNEL_WRITE_ERRORS),
          },
        }),
      },
      '/v1/apps/{appid}/users/{uid}/metadata': {
        get: parley({
          summary: 'A user’s metadata (as getUserMetadata; kept after logout)',
          requestParams: { path: UserMetadataParams },
          responses: {
            '200': { description: 'Items in key order and the majorRevision (0: never written)', ...json(MetadataResponse) },
            ...errors(ApiErrorBody),
          },
        }),
        ...metadataWrites(UserMetadataParams, 'a user'),
      },
      '/v1/apps/{appid}/channels/{channel}/metadata': {
        get: parley({
          summary: 'A channel’s metadata (as RtmChannel.getChannelMetadata; no membership needed)',
          requestParams: { path: ChannelMetadataParams },
          responses: {
            '200': { description: 'Items in key order and the majorRevision (0: never written)', ...json(MetadataResponse) },
            ...errors(ApiErrorBody),
          },
        }),
        ...metadataWrites(ChannelMetadataParams, 'a channel'),
      },
      '/v1/apps/{appid}/users/{uid}/kick': {
        post: moderation({
          summary: 'End every session of a user (SDK: ABORTED / BANNED_BY_SERVER), optionally banning its logins for a while',
          requestParams: { path: ModerationUserParams },
          requestBody: { required: false, ...json(KickBody) },
          responses: {
            '200': { description: 'Kicked (also when the user had no session); the user is OFFLINE', ...json(KickResponse) },
            ...errors(ApiErrorBody, MODERATION_ERRORS),
          },
        }),
      },
      '/v1/apps/{appid}/users/{uid}/ban': {
        get: moderation({
          summary: 'Whether a user is banned from logging in, and until when',
          requestParams: { path: ModerationUserParams },
          responses: { '200': { description: 'The active ban, if any', ...json(UserBanResponse) }, ...errors(ApiErrorBody, MODERATION_ERRORS) },
        }),
        delete: moderation({
          summary: 'Lift a user’s login ban early',
          requestParams: { path: ModerationUserParams },
          responses: {
            '200': { description: 'Lifted (lifted: false when there was none)', ...json(BanLiftResponse) },
            ...errors(ApiErrorBody, MODERATION_ERRORS),
          },
        }),
      },
      '/v1/apps/{appid}/channels/{channel}/bans': {
        post: moderation({
          summary: 'Remove a user from a channel now and refuse its joins for a while',
          requestParams: { path: ModerationChannelParams },
          requestBody: json(ChannelBanBody),
          responses: {
            '201': { description: 'Banned (replacing a ban the user had in this channel)', ...json(ChannelBanResponse) },
            ...errors(ApiErrorBody, MODERATION_ERRORS),
          },
        }),
        get: moderation({
          summary: 'Active bans of a channel, a page at a time in uid order',
          requestParams: { path: ModerationChannelParams, query: ChannelBansQuery },
          responses: { '200': { description: 'Banned uids and when each ban ends', ...json(ChannelBansResponse) }, ...errors(ApiErrorBody, MODERATION_ERRORS) },
        }),
      },
      '/v1/apps/{appid}/channels/{channel}/bans/{uid}': {
        delete: moderation({
          summary: 'Lift a user’s ban from a channel early',
          requestParams: { path: ChannelBanParams },
          responses: {
            '200': { description: 'Lifted (lifted: false when there was none)', ...json(BanLiftResponse) },
            ...errors(ApiErrorBody, MODERATION_ERRORS),
          },
        }),
      },
      ...historyPaths,
      ...adminPaths,
    },
  });
}
