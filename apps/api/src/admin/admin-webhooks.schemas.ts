import { OPT_IN_WEBHOOK_EVENTS, WEBHOOK_EVENT_NAMES } from '@parley/contracts/internal';
import { z } from 'zod';
import { AppIdParam } from '../agora/agora.schemas';
import { PAGE_DEFAULT, PAGE_MAX } from './admin.schemas';

/** webhook_endpoints.url is varchar(2048). */
export const WEBHOOK_URL_MAX = 2048;
/** Failed deliveries replayed by one request when ids are given. */
export const REPLAY_IDS_MAX = 1_000;

const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });
export const WebhookId = z.uuid().meta({ description: 'Webhook endpoint id.', example: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b' });

export const WebhookAppParams = z.strictObject({ appid: AppIdParam });
export const WebhookParams = z.strictObject({ appid: AppIdParam, id: WebhookId });

const Url = z.string().min(1).max(WEBHOOK_URL_MAX, `at most ${WEBHOOK_URL_MAX} characters`).meta({
  description: 'Absolute https:// URL (http:// only when the api allows it: WEBHOOK_ALLOW_HTTP), without credentials.',
  example: 'https://backend.example.com/parley/webhooks',
});
const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_NAMES))
  .max(WEBHOOK_EVENT_NAMES.length)
  .meta({
    description: `Event types to deliver; empty or absent: every type except the opt-in ${OPT_IN_WEBHOOK_EVENTS.join(' and ')}, which come only when listed.`,
  });
const IncludePayload = z.boolean().meta({ description: 'message.peer / message.channel events carry the message payload (default false).' });
const Enabled = z.boolean().meta({ description: 'Events are delivered (default true); a disabled endpoint gets none.' });
export const Secret = z
  .string()
  .regex(/^[\x21-\x7e]{16,128}$/, 'must be 16-128 printable ASCII characters without spaces')
  .meta({ description: 'The signing secret (HMAC key); default: 32 random bytes, base64url.' });

export const CreateWebhookBody = z
  .strictObject({
    url: Url,
    eventTypes: EventTypes.optional(),
    includePayload: IncludePayload.optional(),
    enabled: Enabled.optional(),
    secret: Secret.optional(),
  })
  .meta({ id: 'AdminCreateWebhookRequest' });

export const UpdateWebhookBody = z
  .strictObject({
    url: Url.optional(),
    eventTypes: EventTypes.optional(),
    includePayload: IncludePayload.optional(),
    enabled: Enabled.optional(),
    rotateSecret: z.literal(true).optional().meta({ description: 'true: a new random secret, returned in this answer only.' }),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({ id: 'AdminUpdateWebhookRequest' });

export const FailuresQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_MAX)
    .optional()
    .meta({ description: `Items per page (default ${PAGE_DEFAULT}, at most ${PAGE_MAX}).` }),
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a delivery id')
    .optional()
    .meta({ description: 'The `next` of the previous page.' }),
});

export const ReplayBody = z
  .strictObject({
    ids: z
      .array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
      .min(1)
      .max(REPLAY_IDS_MAX)
      .optional()
      .meta({ description: 'Failed deliveries of this endpoint to replay; absent: all of them.' }),
  })
  .meta({ id: 'AdminReplayWebhookFailuresRequest' });

const webhookShape = {
  id: z.string(),
  appId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()).meta({ description: 'Empty: every type except the opt-in message ones.' }),
  includePayload: z.boolean(),
  enabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const AdminWebhook = z.strictObject(webhookShape).meta({ id: 'AdminWebhook' });
export const AdminWebhookWithSecret = z
  .strictObject({ ...webhookShape, secret: z.string().meta({ description: 'The signing secret: shown only here (creation, rotation).' }) })
  .meta({ id: 'AdminWebhookWithSecret' });
export const AdminWebhookList = z.strictObject({ webhooks: z.array(AdminWebhook) }).meta({ id: 'AdminWebhookList' });
export const AdminWebhookDeleted = z
  .strictObject({
    id: z.string(),
    deletedDeliveries: z.number().int().meta({ description: 'Its queued, failed and delivered events removed from the outbox.' }),
  })
  .meta({ id: 'AdminWebhookDeleted' });
export const AdminWebhookTestResult = z
  .strictObject({
    ok: z.boolean().meta({ description: 'The endpoint answered 2xx.' }),
    status: z.number().int().nullable().meta({ description: 'Its HTTP status (a redirect is not followed); null: no answer (see error).' }),
    durationMs: z.number().int(),
    body: z.string().meta({ description: 'The first 1 KB of its answer.' }),
    error: z.string().nullable().meta({ description: 'Why there was no answer (timeout, connection refused, TLS, …).' }),
  })
  .meta({ id: 'AdminWebhookTestResult' });
export const AdminWebhookFailure = z
  .strictObject({
    id: z.number().int(),
    noticeId: z.string(),
    eventType: z.string(),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: Timestamp,
    body: z.string().meta({ description: 'The exact JSON body that was sent (and signed).' }),
  })
  .meta({ id: 'AdminWebhookFailure' });
export const AdminWebhookFailurePage = z
  .strictObject({ failures: z.array(AdminWebhookFailure), next: z.string().nullable() })
  .meta({ id: 'AdminWebhookFailurePage' });
export const AdminWebhookReplayed = z
  .strictObject({ replayed: z.number().int().meta({ description: 'Failed deliveries queued again (ids of other endpoints or not failed are ignored).' }) })
  .meta({ id: 'AdminWebhookReplayed' });

export type AdminWebhookView = z.infer<typeof AdminWebhook>;
export type AdminWebhookWithSecretView = z.infer<typeof AdminWebhookWithSecret>;
export type AdminWebhookTestResultView = z.infer<typeof AdminWebhookTestResult>;
export type AdminWebhookFailureView = z.infer<typeof AdminWebhookFailure>;
