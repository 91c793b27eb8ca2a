import 'zod-openapi';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
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
} from '../v1/v1.schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** The error answers every authenticated route can give, in the body shape of its family. */
function errors(body: z.ZodType, extra: Record<string, string> = {}): ZodOpenApiResponsesObject {
  const codes: Record<string, string> = {
    '400': 'Bad input (ids by the SDK’s rules, payload empty or too large, unknown fields)',
    '401': 'Missing or invalid credentials',
    '403': 'Valid credentials without the right to this app or user',
    '404': 'Unknown app (a credential granted every app), or unknown route',
    '408': 'A backing service did not answer in time',
    '429': 'Rate limit of the app exceeded (Retry-After)',
    '500': 'Internal error (logged with the request id)',
    '503': 'A backing service is unavailable (Retry-After)',
    ...extra,
  };
  return Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { description, ...json(body) }]));
}

const agora = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['Agora RTM 1.x'],
  security: [{ basic: [] }, { agoraToken: [], agoraUid: [] }],
  ...op,
});
const parley = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['Parley'],
  security: [{ basic: [] }, { agoraToken: [], agoraUid: [] }],
  ...op,
});
const idempotencyHeader = z.object({
  'idempotency-key': IdempotencyKey.optional().meta({ description: 'A retried request with the same key delivers once and gets the first answer.' }),
});

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
      '/v1/apps/{appid}/channels/counts': {
        get: parley({
          summary: 'Member counts of up to 32 channels',
          requestParams: { path: AppParams, query: CountsQuery },
          responses: { '200': { description: 'Count per channel', ...json(CountsResponse) }, ...errors(ApiErrorBody) },
        }),
      },
      '/v1/apps/{appid}/channels/{channel}/members': {
        get: parley({
          summary: 'Members of a channel',
          requestParams: { path: ChannelParams, query: MembersQuery },
          responses: { '200': { description: 'Member uids', ...json(MembersResponse) }, ...errors(ApiErrorBody) },
        }),
      },
    },
  });
}
