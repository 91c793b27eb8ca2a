import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/**
 * The server API's metadata routes (agora-rtm-sdk 1.6.0 user and channel metadata). Only the shape
 * is checked here, strictly (unknown fields: 400); the key rule, every limit, revisions and the
 * compare-and-set are the attributes service's, as for the SDK: one set of rules.
 */

const Revision = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER);

const MetadataItemInput = z
  .strictObject({
    key: z.string().meta({ description: '1–32 characters of the uid alphabet without "_", not "null".', example: 'seat' }),
    value: z.string().optional().meta({ description: 'At most 8 KB (UTF-8); "" when absent. Ignored by deletes.' }),
    revision: Revision.optional().meta({
      description: '≥ 0: written only while the key still has this revision (0: the key must not exist); -1 / absent: no check.',
    }),
  })
  .meta({ id: 'MetadataItemInput' });

export const MetadataWriteBody = z
  .strictObject({
    items: z.array(MetadataItemInput).max(256).meta({ description: 'At most 32 items, keys unique; PUT may send [] (empties the set).' }),
    majorRevision: Revision.optional().meta({
      description: '≥ 0: written only while the set still has this majorRevision (0: never written); -1 / absent: no check.',
    }),
    enableRecordTs: z.boolean().optional().meta({ description: 'true: the written items get the server’s time as updateTs (else 0).' }),
    enableRecordUserId: z.boolean().optional().meta({ description: 'true: the written items get the acting uid as authorUserId (else "").' }),
  })
  .meta({ id: 'MetadataWrite' });

/** Comma-separated keys in a query parameter. */
const KeyList = z
  .string()
  .transform((s) => s.split(','))
  .meta({ description: 'Up to 32 metadata keys, comma-separated.', example: 'seat,mood' });

/** Comma-separated revisions, one per key of `keys`. */
const RevisionList = z
  .string()
  .regex(/^-?\d{1,16}(,-?\d{1,16})*$/, 'comma-separated integers ≥ -1')
  .transform((s) => s.split(',').map(Number))
  .pipe(z.array(Revision))
  .meta({
    description: 'Compare-and-set per key: one revision for each of `keys`, in the same order (-1: no check on that key).',
    example: '12,-1',
  });

/**
 * DELETE: `keys` removes those keys (`revisions`, when given, checks each one's revision first),
 * `all=true` empties the set; exactly one of them.
 */
export const MetadataDeleteQuery = z
  .strictObject({
    keys: KeyList.optional(),
    revisions: RevisionList.optional(),
    all: z.enum(['true']).optional().meta({ description: 'true: remove every item (instead of keys).' }),
    majorRevision: z.coerce
      .number()
      .int()
      .min(-1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .meta({ description: 'Compare-and-set on the set, as in the body of the other writes.' }),
  })
  .refine((q) => (q.keys === undefined) !== (q.all === undefined), { message: 'give either keys or all=true', path: ['keys'] })
  .refine((q) => q.revisions === undefined || q.revisions.length === q.keys?.length, {
    message: 'one revision for each key, in the order of keys',
    path: ['revisions'],
  });

export const UserMetadataParams = z.object({ appid: AppIdParam, uid: UserId });
export const ChannelMetadataParams = z.object({ appid: AppIdParam, channel: ChannelName });

const MetadataBody = z
  .strictObject({
    majorRevision: z.number().int().meta({ description: 'Grows with every write of the set; 0: never written.' }),
    items: z.array(
      z.strictObject({
        key: z.string(),
        value: z.string(),
        revision: z.number().int().meta({ description: 'The majorRevision of the write that last wrote the key.' }),
        updateTs: z.number().int().meta({ description: 'Unix ms of that write when it asked enableRecordTs, else 0.' }),
        authorUserId: z.string().meta({ description: 'Its writer when it asked enableRecordUserId, else "".' }),
      }),
    ),
  })
  .meta({ id: 'Metadata' });

export const MetadataResponse = z.strictObject({ metadata: MetadataBody, request_id: z.string() }).meta({ id: 'MetadataResponse' });

export const MetadataWriteResponse = z
  .strictObject({ majorRevision: z.number().int().meta({ description: 'The set’s majorRevision after the write.' }), request_id: z.string() })
  .meta({ id: 'MetadataWriteResponse' });

export type MetadataWriteBody = z.infer<typeof MetadataWriteBody>;
export type MetadataDeleteQuery = z.infer<typeof MetadataDeleteQuery>;
