import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject, ZodOpenApiSecuritySchemeObject } from 'zod-openapi';
import { ApiErrorBody } from '../v1/v1.schemas';
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
} from './admin.schemas';

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
    delete: admin({
      summary: 'Delete an app with all its data',
      description:
        'In one transaction: the app, its rows of every table (sessions, offline messages, channels and members, attributes, invitations, media rows, events) and its grants in customer credentials. Gateways and api replicas stop accepting it once their app cache expires (APP_CACHE_TTL_MS / AUTH_CACHE_TTL_MS).',
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
};
