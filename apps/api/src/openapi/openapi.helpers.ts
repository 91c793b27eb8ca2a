import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponsesObject } from 'zod-openapi';

/** Building blocks of the server API's OpenAPI document (openapi.document.ts and the per-feature path files). */

export const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** The error answers every authenticated route can give, in the body shape of its family. */
export function errors(body: z.ZodType, extra: Record<string, string> = {}): ZodOpenApiResponsesObject {
  const codes: Record<string, string> = {
    '400': 'Bad input (ids by the SDK’s rules, payload empty or too large, unknown fields)',
    '401': 'Missing or invalid credentials',
    '403': 'Valid credentials without the right to this app or user',
    '404': 'Unknown app (a credential granted every app), or unknown route',
    '413': 'Body larger than API_BODY_MAX_BYTES',
    '408': 'A backing service did not answer in time',
    '429': 'Rate limit of the app exceeded (Retry-After)',
    '500': 'Internal error (logged with the request id)',
    '503': 'A backing service is unavailable (Retry-After)',
    ...extra,
  };
  return Object.fromEntries(Object.entries(codes).map(([status, description]) => [status, { description, ...json(body) }]));
}

export const agora = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['Agora RTM 1.x'],
  security: [{ basic: [] }, { agoraToken: [], agoraUid: [] }],
  ...op,
});
export const parley = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['Parley'],
  security: [{ basic: [] }, { agoraToken: [], agoraUid: [] }],
  ...op,
});
