import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { AdminChannel, AdminChannelParams, AdminMintedToken, AdminStats, AdminUser, AdminUserParams, MintTokenBody, StatsQuery } from './admin-console.schemas';
import { AdminAppParams } from './admin.schemas';

/** The operator console's admin routes, spread into adminPaths (same auth, errors and tag). */
export function adminConsolePaths(
  admin: (op: ZodOpenApiOperationObject) => ZodOpenApiOperationObject,
  errors: (extra?: Record<string, string>) => ZodOpenApiResponsesObject,
  json: (schema: z.ZodType) => { content: { 'application/json': { schema: z.ZodType } } },
): ZodOpenApiPathsObject {
  const serviceErrors = { '408': 'A service did not answer in time', '404': 'Unknown app, or unknown route' };
  return {
    '/v1/admin/apps/{appid}/tokens': {
      post: admin({
        summary: 'Mint an RTM login token of a certified app (as `parley token`), for the console or a test client',
        description:
          'Signed with the app’s current certificate by the same builders as the CLI: 007 (default) or 006, the login privilege valid expireSeconds (1–86400, default 3600). Every token minted is logged with the app, uid and expiry. Off with ADMIN_TOKEN_MINTING=false (403 token_minting_disabled).',
        requestParams: { path: AdminAppParams },
        requestBody: json(MintTokenBody),
        responses: {
          '201': { description: 'The token', ...json(AdminMintedToken) },
          ...errors({
            '400':
              'Bad input (uid by the SDK’s rules, expireSeconds out of range, unknown format or fields), a static app (code app_not_certified: it takes no token) or an app id that is not hex (code app_not_hex)',
            '403': 'The admin API is disabled (no ADMIN_TOKEN), or minting is (code token_minting_disabled)',
            '404': 'Unknown app, or unknown route',
          }),
        },
      }),
    },
    '/v1/admin/stats': {
      get: admin({
        summary: 'Live counts over the cluster: sessions, channels, members, and each gateway’s sessions and message totals',
        description:
          'Sessions come from the session registry (all gateways), channels and members from the channel service, now. Every gateway answers a scatter-gather with its own sessions, connections and the messages its clients sent since it started (monotonic: compute msg/s from two polls; a gateway restarted starts again from 0); the api waits ADMIN_STATS_WINDOW_MS (300 ms) or until as many answered as the registry has live gateways. With appId, everything is that app’s.',
        requestParams: { query: StatsQuery },
        responses: { '200': { description: 'The counts', ...json(AdminStats) }, ...errors({ ...serviceErrors, '404': 'Unknown app (appId)' }) },
      }),
    },
    '/v1/admin/apps/{appid}/users/{uid}': {
      get: admin({
        summary: 'One user: online status and session (on which gateway), channels, user attributes and metadata',
        requestParams: { path: AdminUserParams },
        responses: { '200': { description: 'The user (OFFLINE, no session, when not logged in)', ...json(AdminUser) }, ...errors(serviceErrors) },
      }),
    },
    '/v1/admin/apps/{appid}/channels/{channel}': {
      get: admin({
        summary: 'One channel: member count, the first 1000 members, attributes and metadata',
        requestParams: { path: AdminChannelParams },
        responses: { '200': { description: 'The channel (memberCount 0 when nobody is in it)', ...json(AdminChannel) }, ...errors(serviceErrors) },
      }),
    },
  };
}
