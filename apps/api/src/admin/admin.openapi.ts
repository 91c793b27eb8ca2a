import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject, ZodOpenApiSecuritySchemeObject } from 'zod-openapi';
import { ApiErrorBody } from '../v1/v1.schemas';
import { adminConsolePaths } from './admin-console.openapi';
import {
  AdminApp,
  AdminAppPage,
  AdminAppParams,
  AdminAppWithCertificate,
  AdminCredential,
  AdminCredentialPage,
  AdminDeletedApp,
  AdminNewCredential,
  AppsQuery,
  CreateAppBody,
  CreateCredentialBody,
  CredentialParams,
  CredentialsQuery,
  RotateCertificateBody,
  UpdateAppBody,
} from './admin.schemas';
import {
  AdminWebhook,
  AdminWebhookDeleted,
  AdminWebhookFailurePage,
  AdminWebhookList,
  AdminWebhookReplayed,
  AdminWebhookTestResult,
  AdminWebhookWithSecret,
  CreateWebhookBody,
  FailuresQuery,
  ReplayBody,
  UpdateWebhookBody,
  WebhookAppParams,
  WebhookParams,
} from './admin-webhooks.schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

export const adminSecuritySchemes: Record<string, ZodOpenApiSecuritySchemeObject> = {
  admin: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the api (the admin API answers 403 while it is not set).' },
};

function errors(extra: Record<string, string> = {}): ZodOpenApiResponsesObject {
  const codes: Record<string, string> = {
    '400': 'Bad input (unknown or invalid fields, bad ids)',
    '401': 'Missing or wrong admin token',
    '403': 'The admin API is disabled (no ADMIN_TOKEN configured)',
    '500': 'Internal error (logged with the request id)',
    '503': 'The database is unavailable (Retry-After)',
    ...extra,
  };
  return Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { description, ...json(ApiErrorBody) }]));
}

const admin = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({ tags: ['Admin'], security: [{ admin: [] }], ...op });
const unknownApp = { '404': 'Unknown app, or unknown route' };
const unknownWebhook = { '404': 'Unknown webhook of this app (or unknown app), or unknown route' };
const BAD_WEBHOOK_URL = {
  '400':
    'Bad input: unknown or invalid fields, or a URL this server refuses (code invalid_webhook_url: not absolute http(s), http without WEBHOOK_ALLOW_HTTP, credentials in it, a private address literal without WEBHOOK_ALLOW_PRIVATE)',
};

/** The admin API's paths, spread into the server API's OpenAPI document. */
export const adminPaths: ZodOpenApiPathsObject = {
  '/v1/admin/apps': {
    post: admin({
      summary: 'Create an app (static, or certified: logins need a token)',
      requestBody: json(CreateAppBody),
      responses: {
        '201': { description: 'The app, with its certificate (shown only here and at rotation)', ...json(AdminAppWithCertificate) },
        ...errors({ '409': 'The app id is taken' }),
      },
    }),
    get: admin({
      summary: 'List apps, in id order (no certificates)',
      requestParams: { query: AppsQuery },
      responses: { '200': { description: 'A page of apps; `next` is the `after` of the next page (null: last page)', ...json(AdminAppPage) }, ...errors() },
    }),
  },
  '/v1/admin/apps/{appid}': {
    get: admin({
      summary: 'Show an app (no certificate)',
      requestParams: { path: AdminAppParams },
      responses: { '200': { description: 'The app', ...json(AdminApp) }, ...errors(unknownApp) },
    }),
    patch: admin({
      summary: 'Change an app’s name or message-history settings (only the fields given; null resets a history limit to the default)',
      description:
        'history.storeAll: store every message of the app (else only those sent with enableHistoricalMessaging); gateways and api replicas see it within 5 s. retentionMs (1 hour – 90 days) and maxBytes (1 MB – 1 TB) override the history service’s defaults (7 days, 2 GB): a shorter retention hides older messages from the next query on, a smaller cap from the service’s next maintenance pass (10 min); a longer one does not bring back what was already removed.',
      requestParams: { path: AdminAppParams },
      requestBody: json(UpdateAppBody),
      responses: {
        '200': { description: 'The app as changed', ...json(AdminApp) },
        ...errors({ ...unknownApp, '400': 'Bad input (unknown fields, a bound out of range)' }),
      },
    }),
    delete: admin({
      summary: 'Delete an app with all its data',
      description:
        'In one transaction: the app, its rows of every table (sessions, offline messages, channels and members, attributes and metadata, invitations, media rows, events, stored messages) and its grants in customer credentials. Gateways and api replicas stop accepting it once their app cache expires (APP_CACHE_TTL_MS / AUTH_CACHE_TTL_MS).',
      requestParams: { path: AdminAppParams },
      responses: { '200': { description: 'What was deleted', ...json(AdminDeletedApp) }, ...errors(unknownApp) },
    }),
  },
  '/v1/admin/apps/{appid}/certificate/rotate': {
    post: admin({
      summary: 'Give the app a new certificate; the old one verifies tokens for overlapSeconds more',
      description: 'Certifying a static app is a rotation from none. Only one previous certificate is kept.',
      requestParams: { path: AdminAppParams },
      requestBody: json(RotateCertificateBody),
      responses: { '200': { description: 'The app with its new certificate', ...json(AdminAppWithCertificate) }, ...errors(unknownApp) },
    }),
  },
  '/v1/admin/apps/{appid}/certificate': {
    delete: admin({
      summary: 'Make the app static (no certificate: logins without a token)',
      requestParams: { path: AdminAppParams },
      responses: { '200': { description: 'The app', ...json(AdminApp) }, ...errors(unknownApp) },
    }),
  },
  '/v1/admin/apps/{appid}/webhooks': {
    post: admin({
      summary: 'Add a webhook endpoint: events of the chosen types are POSTed to its URL, signed with its secret',
      description:
        'Bodies are Agora notifications (`noticeId, productId, eventType, notifyMs, sid, payload`) plus Parley’s `event` name, signed in `Agora-Signature` (HMAC-SHA1 hex) and `Agora-Signature-V2` (HMAC-SHA256 hex) with the secret. message.peer and message.channel come only when listed in eventTypes.',
      requestParams: { path: WebhookAppParams },
      requestBody: json(CreateWebhookBody),
      responses: {
        '201': { description: 'The endpoint with its secret (shown only here and at rotation)', ...json(AdminWebhookWithSecret) },
        ...errors({ ...unknownApp, ...BAD_WEBHOOK_URL, '409': 'The app has the most webhooks one app may have (code too_many_webhooks)' }),
      },
    }),
    get: admin({
      summary: 'List the app’s webhook endpoints, oldest first (no secrets)',
      requestParams: { path: WebhookAppParams },
      responses: { '200': { description: 'Its endpoints', ...json(AdminWebhookList) }, ...errors(unknownApp) },
    }),
  },
  '/v1/admin/apps/{appid}/webhooks/{id}': {
    get: admin({
      summary: 'Show a webhook endpoint (no secret)',
      requestParams: { path: WebhookParams },
      responses: { '200': { description: 'The endpoint', ...json(AdminWebhook) }, ...errors(unknownWebhook) },
    }),
    patch: admin({
      summary: 'Change a webhook endpoint (url, eventTypes, includePayload, enabled), or give it a new secret (rotateSecret: true)',
      requestParams: { path: WebhookParams },
      requestBody: json(UpdateWebhookBody),
      responses: {
        '200': {
          description: 'The endpoint; with its new secret when rotateSecret (shown only here)',
          ...json(z.union([AdminWebhookWithSecret, AdminWebhook])),
        },
        ...errors({ ...unknownWebhook, ...BAD_WEBHOOK_URL }),
      },
    }),
    delete: admin({
      summary: 'Delete a webhook endpoint with its queued, failed and delivered events',
      requestParams: { path: WebhookParams },
      responses: { '200': { description: 'Deleted', ...json(AdminWebhookDeleted) }, ...errors(unknownWebhook) },
    }),
  },
  '/v1/admin/apps/{appid}/webhooks/{id}/test': {
    post: admin({
      summary: 'Send a signed test ping to the endpoint now and show its answer',
      description:
        'Body `{noticeId, productId, eventType: 0, notifyMs, sid, payload: {ping: true}, event: "webhook.test"}`, signed as every event. Sent as deliveries are: certificates verified, 10 s timeout, redirects not followed, the answer read up to 1 KB. Sent to a disabled endpoint too.',
      requestParams: { path: WebhookParams },
      responses: {
        '200': { description: 'What the receiver answered (ok: 2xx), or why it did not', ...json(AdminWebhookTestResult) },
        ...errors({
          ...unknownWebhook,
          '400': 'The URL resolves to a loopback, private or link-local address (code private_address; WEBHOOK_ALLOW_PRIVATE is off)',
        }),
      },
    }),
  },
  '/v1/admin/apps/{appid}/webhooks/{id}/failures': {
    get: admin({
      summary: 'Dead deliveries of the endpoint (retried until the retry horizon, then kept), in id order',
      requestParams: { path: WebhookParams, query: FailuresQuery },
      responses: {
        '200': { description: 'A page of failures; `next` is the `after` of the next page', ...json(AdminWebhookFailurePage) },
        ...errors(unknownWebhook),
      },
    }),
  },
  '/v1/admin/apps/{appid}/webhooks/{id}/failures/replay': {
    post: admin({
      summary: 'Queue dead deliveries of the endpoint again (those of ids, or all), due now, with the same noticeId',
      requestParams: { path: WebhookParams },
      requestBody: { required: false, ...json(ReplayBody) },
      responses: { '200': { description: 'How many were queued again', ...json(AdminWebhookReplayed) }, ...errors(unknownWebhook) },
    }),
  },
  '/v1/admin/credentials': {
    post: admin({
      summary: 'Create a customer credential (key + secret for HTTP Basic) granted some apps or all',
      requestBody: json(CreateCredentialBody),
      responses: {
        '201': { description: 'The credential with its secret (shown only here)', ...json(AdminNewCredential) },
        ...errors({ '400': 'Bad input, or an app of appIds does not exist (code unknown_app)' }),
      },
    }),
    get: admin({
      summary: 'List customer credentials, in key order (never secrets)',
      requestParams: { query: CredentialsQuery },
      responses: { '200': { description: 'A page of credentials', ...json(AdminCredentialPage) }, ...errors() },
    }),
  },
  '/v1/admin/credentials/{key}': {
    delete: admin({
      summary: 'Revoke a customer credential',
      description: 'It gets 401 once the api replicas’ auth cache (AUTH_CACHE_TTL_MS) lets go of it. It stays listed, with revokedAt.',
      requestParams: { path: CredentialParams },
      responses: { '200': { description: 'The revoked credential', ...json(AdminCredential) }, ...errors({ '404': 'Unknown customer key' }) },
    }),
  },
  ...adminConsolePaths(admin, errors, json),
};
