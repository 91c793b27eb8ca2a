import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/**
 * The server API's attribute routes. Only the shape is checked here; keys, values and every limit
 * (Agora's: key ≤ 32 bytes of visible characters, value ≤ 8 KB, 32 attributes, 16 KB per user /
 * 32 KB per channel, 32 keys per call) are the attributes service's, as for the SDK: one set of rules.
 */

/** The uid channel attribute writes are made as when a customer credential names none (X-Parley-Uid). */
export const SERVER_UID = 'server';

/**
 * key → value. `__proto__` is refused here: zod (and any JS object) would drop it silently, turning
 * a PUT of it into a clear. The SDK's wire decoder refuses it too.
 */
const AttributesInput = z
  .preprocess(
    (value, ctx) => {
      if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, '__proto__')) {
        ctx.issues.push({ code: 'custom', message: 'the key __proto__ is reserved', input: value });
      }
      return value;
    },
    z.record(z.string(), z.string()),
  )
  .meta({
    description:
      'key → value. Keys: 1–32 bytes (UTF-8) of visible characters; values: non-empty strings of at most 8 KB; at most 32 attributes and 16 KB (users) or 32 KB (channels) of keys and values in the resulting set.',
  });

/** Comma-separated keys in a query parameter (a key containing a comma cannot be named this way). */
const KeyList = z
  .string()
  .transform((s) => s.split(','))
  .meta({ description: 'Up to 32 attribute keys, comma-separated.', example: 'mood,city' });

const TRUE_FALSE = z.enum(['true', 'false']);

export const UserAttrsParams = z.object({ appid: AppIdParam, uid: UserId });
export const ChannelAttrsParams = z.object({ appid: AppIdParam, channel: ChannelName });

export const AttrsGetQuery = z.strictObject({ keys: KeyList.optional() });

export const UserAttrsBody = z.strictObject({ attributes: AttributesInput }).meta({ id: 'UserAttributesWrite' });

export const ChannelAttrsBody = z
  .strictObject({
    attributes: AttributesInput,
    enableNotificationToChannelMembers: z.boolean().optional().meta({ description: 'true: every member gets AttributesUpdated with the whole new set.' }),
  })
  .meta({ id: 'ChannelAttributesWrite' });

/** DELETE: `keys` removes those keys, `all=true` removes every attribute; exactly one of them. */
const DeleteWhat = {
  keys: KeyList.optional(),
  all: z.enum(['true']).optional().meta({ description: 'true: remove every attribute (instead of keys).' }),
};
const oneOfKeysOrAll = (q: { keys?: string[]; all?: 'true' }) => (q.keys === undefined) !== (q.all === undefined);
const KEYS_OR_ALL = { message: 'give either keys or all=true', path: ['keys'] };

export const UserAttrsDeleteQuery = z.strictObject(DeleteWhat).refine(oneOfKeysOrAll, KEYS_OR_ALL);
export const ChannelAttrsDeleteQuery = z
  .strictObject({
    ...DeleteWhat,
    enableNotificationToChannelMembers: TRUE_FALSE.optional().meta({ description: 'true: every member gets AttributesUpdated with the whole new set.' }),
  })
  .refine(oneOfKeysOrAll, KEYS_OR_ALL);

/** The acting user of a channel attribute write (lastUpdateUserId). */
export const ActingUidHeader = z.object({
  'x-parley-uid': UserId.optional().meta({
    description: `The user the write is made as (lastUpdateUserId). A customer credential: any uid, default "${SERVER_UID}". An RTM token: its own uid (the default); another → 403.`,
  }),
});

export const UserAttrsResponse = z
  .strictObject({ attributes: z.record(z.string(), z.string()), request_id: z.string() })
  .meta({ id: 'UserAttributesResponse' });

export const ChannelAttrsResponse = z
  .strictObject({
    attributes: z.record(
      z.string(),
      z.strictObject({
        value: z.string(),
        lastUpdateUserId: z.string(),
        lastUpdateTs: z.number().int().meta({ description: 'Unix ms of the write (server clock).' }),
      }),
    ),
    request_id: z.string(),
  })
  .meta({ id: 'ChannelAttributesResponse' });

export const AttrsWriteResponse = z.strictObject({ request_id: z.string() }).meta({ id: 'AttributesWriteResponse' });

export type UserAttrsBody = z.infer<typeof UserAttrsBody>;
export type ChannelAttrsBody = z.infer<typeof ChannelAttrsBody>;
export type UserAttrsDeleteQuery = z.infer<typeof UserAttrsDeleteQuery>;
export type ChannelAttrsDeleteQuery = z.infer<typeof ChannelAttrsDeleteQuery>;
