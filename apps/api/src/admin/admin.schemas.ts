import { z } from 'zod';
import { AppIdParam } from '../agora/agora.schemas';

/** Longest rotation overlap: a week (tokens are usually renewed daily). */
export const OVERLAP_MAX_SECONDS = 604_800;
export const OVERLAP_DEFAULT_SECONDS = 86_400;
export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1_000;
/** Apps one credential may be granted by name (more: grant every app). */
export const CREDENTIAL_APPS_MAX = 1_000;
/** An app's own message-history retention: 1 hour – 90 days (the history service's default: 7 days). */
export const HISTORY_RETENTION_MIN_MS = 3_600_000;
export const HISTORY_RETENTION_MAX_MS = 90 * 86_400_000;
/** An app's own history size cap: 1 MB – 1 TB (the history service's default: 2 GB). */
export const HISTORY_MAX_BYTES_MIN = 1024 ** 2;
export const HISTORY_MAX_BYTES_MAX = 1024 ** 4;

const Name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'at most 200 characters')
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters')
  .meta({ description: 'A label for people (1–200 characters).', example: 'prod backend' });
const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });
export const CustomerKey = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits')
  .meta({ description: 'Customer key (the public half of a credential).', example: '5f2c3b0e9a6d4c1b8e7f0a1b2c3d4e5f' });

export const AdminAppParams = z.strictObject({ appid: AppIdParam });
export const CredentialParams = z.strictObject({ key: CustomerKey });

/** Keyset paging: `after` is the last id of the previous page (`next`). */
const pageQuery = (after: z.ZodType<string>) =>
  z.strictObject({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(PAGE_MAX)
      .optional()
      .meta({ description: `Items per page (default ${PAGE_DEFAULT}, at most ${PAGE_MAX}).` }),
    after: after.optional().meta({ description: 'The `next` of the previous page.' }),
  });
export const AppsQuery = pageQuery(AppIdParam);
export const CredentialsQuery = pageQuery(CustomerKey);

export const CreateAppBody = z
  .strictObject({
    appId: AppIdParam.optional().meta({ description: 'The new app’s id (32 letters or digits); default: 32 random hex digits.' }),
    name: Name.optional(),
    certified: z.boolean().optional().meta({ description: 'true: the app gets an App Certificate and logins need a token. Default false (static app).' }),
  })
  .meta({ id: 'AdminCreateAppRequest' });

export const RotateCertificateBody = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(OVERLAP_MAX_SECONDS)
      .optional()
      .meta({ description: `How long the replaced certificate keeps verifying tokens (default ${OVERLAP_DEFAULT_SECONDS}; 0: not at all).` }),
  })
  .meta({ id: 'AdminRotateCertificateRequest' });

export const CreateCredentialBody = z
  .strictObject({
    name: Name.optional(),
    appIds: z
      .array(AppIdParam)
      .min(1, 'must name at least one app')
      .max(CREDENTIAL_APPS_MAX)
      .optional()
      .meta({ description: 'The apps it may act on (existing apps).' }),
    allApps: z.boolean().optional().meta({ description: 'true: every app, present and future.' }),
  })
  .refine((b) => (b.appIds !== undefined) !== (b.allApps === true), 'give exactly one of appIds (non-empty) and allApps: true')
  .meta({ id: 'AdminCreateCredentialRequest' });

/** PATCH of an app: only the fields given change; null resets a history limit to the service's default. */
export const UpdateAppBody = z
  .strictObject({
    name: Name.nullable().optional().meta({ description: 'A label for people (1–200 characters); null removes it.' }),
    history: z
      .strictObject({
        storeAll: z
          .boolean()
          .optional()
          .meta({ description: 'true: store every peer and channel message of the app, not only those sent with enableHistoricalMessaging.' }),
        retentionMs: z
          .number()
          .int()
          .min(HISTORY_RETENTION_MIN_MS)
          .max(HISTORY_RETENTION_MAX_MS)
          .nullable()
          .optional()
          .meta({
            description: `How long messages are kept, ms: ${HISTORY_RETENTION_MIN_MS}–${HISTORY_RETENTION_MAX_MS} (1 hour – 90 days); null: the default (7 days).`,
          }),
        maxBytes: z
          .number()
          .int()
          .min(HISTORY_MAX_BYTES_MIN)
          .max(HISTORY_MAX_BYTES_MAX)
          .nullable()
          .optional()
          .meta({
            description: `Bytes of history the app may keep (its oldest hours stop being returned over it): ${HISTORY_MAX_BYTES_MIN}–${HISTORY_MAX_BYTES_MAX} (1 MB – 1 TB); null: the default (2 GB).`,
          }),
      })
      .optional(),
  })
  .meta({ id: 'AdminUpdateAppRequest' });

const AppHistory = z
  .strictObject({
    storeAll: z.boolean().meta({ description: 'Every message of the app is stored (else only those sent with enableHistoricalMessaging).' }),
    retentionMs: z.number().int().nullable().meta({ description: 'The app’s own retention, ms; null: the history service’s default (7 days).' }),
    maxBytes: z.number().int().nullable().meta({ description: 'The app’s own size cap, bytes; null: the history service’s default (2 GB).' }),
  })
  .meta({ id: 'AdminAppHistory', description: 'Message-history settings.' });

const appShape = {
  appId: z.string(),
  name: z.string().nullable(),
  certified: z.boolean().meta({ description: 'Logins need a token (the app has a certificate).' }),
  previousCertificateValidUntil: Timestamp.nullable().meta({
    description: 'Until when tokens of the certificate replaced by the last rotation still verify; null: none does.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  history: AppHistory,
};
export const AdminApp = z.strictObject(appShape).meta({ id: 'AdminApp' });
export const AdminAppWithCertificate = z
  .strictObject({
    ...appShape,
    certificate: z.string().nullable().meta({ description: 'The App Certificate (null: static app). Shown only here: at creation and rotation.' }),
  })
  .meta({ id: 'AdminAppWithCertificate' });
export const AdminAppPage = z.strictObject({ apps: z.array(AdminApp), next: z.string().nullable() }).meta({ id: 'AdminAppPage' });
export const AdminDeletedApp = z
  .strictObject({
    appId: z.string(),
    deletedRows: z.record(z.string(), z.number().int()).meta({ description: 'Rows deleted per table.' }),
    credentialsUpdated: z.number().int().meta({ description: 'Customer credentials that lost the app from their appIds.' }),
  })
  .meta({ id: 'AdminDeletedApp' });

const credentialShape = {
  customerKey: z.string(),
  name: z.string().nullable(),
  appIds: z.array(z.string()),
  allApps: z.boolean(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
};
export const AdminCredential = z.strictObject(credentialShape).meta({ id: 'AdminCredential' });
export const AdminNewCredential = z
  .strictObject({
    ...credentialShape,
    customerSecret: z.string().meta({ description: 'Shown only here; Parley keeps its SHA-256 only.' }),
  })
  .meta({ id: 'AdminNewCredential' });
export const AdminCredentialPage = z.strictObject({ credentials: z.array(AdminCredential), next: z.string().nullable() }).meta({ id: 'AdminCredentialPage' });

export type AdminAppView = z.infer<typeof AdminApp>;
export type UpdateAppBody = z.infer<typeof UpdateAppBody>;
export type AdminAppWithCertificateView = z.infer<typeof AdminAppWithCertificate>;
export type AdminCredentialView = z.infer<typeof AdminCredential>;
export type AdminNewCredentialView = z.infer<typeof AdminNewCredential>;
