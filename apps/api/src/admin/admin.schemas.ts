import { z } from 'zod';
import { AppIdParam } from '../agora/agora.schemas';

/** Longest rotation overlap: a week (tokens are usually renewed daily). */
export const OVERLAP_MAX_SECONDS = 604_800;
export const OVERLAP_DEFAULT_SECONDS = 86_400;
export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1_000;
/** Apps one credential may be granted by name (more: grant every app). */
export const CREDENTIAL_APPS_MAX = 1_000;

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

const appShape = {
  appId: z.string(),
  name: z.string().nullable(),
  certified: z.boolean().meta({ description: 'Logins need a token (the app has a certificate).' }),
  previousCertificateValidUntil: Timestamp.nullable().meta({
    description: 'Until when tokens of the certificate replaced by the last rotation still verify; null: none does.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
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
export type AdminAppWithCertificateView = z.infer<typeof AdminAppWithCertificate>;
export type AdminCredentialView = z.infer<typeof AdminCredential>;
export type AdminNewCredentialView = z.infer<typeof AdminNewCredential>;
