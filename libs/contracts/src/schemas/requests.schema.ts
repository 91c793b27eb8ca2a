import { z } from 'zod';
import { ErrorCode } from '../errors';
import { HISTORY_LIMITS } from '../history';
import { MediaType } from '../media';
import { MessageKind } from '../messages';
import { Op } from '../protocol';

/**
 * The schema of every request's `args` (docs/protocol.md §3, §10, §11 describe the same fields; a
 * test holds the two together). The gateway parses each request against its op's schema before a
 * handler runs: handlers receive typed values, unknown fields are dropped (never forwarded; the
 * metadata ops refuse them), and
 * every string, byte string and list is bounded here. These checks are about shape; the rules of
 * each feature (uid syntax, counts per call, sizes against configured limits) stay in the services,
 * which answer them with their own codes.
 */

/** Loose upper bounds: the frame limit (64 KiB) bounds everything anyway; these keep values sane. */
const ID_MAX = 256;
const TEXT_MAX = 64 * 1024;
const LIST_MAX = 10_000;

/**
 * Strings a service stores in a Postgres text column (ids, attribute keys and values, invitation
 * texts, file names) may not contain NUL, which Postgres text cannot hold. Message bodies travel and
 * are stored as MessagePack bytes, so their text may.
 */
const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = { message: 'must not contain NUL (U+0000)' };
const id = z.string().max(ID_MAX).refine(noNul, NUL_MESSAGE);
const ids = z.array(id).max(LIST_MAX);
const text = z.string().max(TEXT_MAX).refine(noNul, NUL_MESSAGE);
/** Message content: any text. */
const body = z.string().max(TEXT_MAX);
/** MessagePack bin decodes to a Uint8Array (a Buffer in Node). */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' });
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Messages one history page may ask for. */
const historyLimit = z.number().int().min(1).max(HISTORY_LIMITS.PAGE_MAX);

const wireMedia = z.object({
  id: z.string().min(1).max(ID_MAX),
  size: count,
  name: body,
  thumb: bytes.optional(),
  w: count.optional(),
  h: count.optional(),
  tw: count.optional(),
  th: count.optional(),
});

/**
 * A message body: one shape per kind; unknown fields are dropped. A TEXT/RAW message carries
 * exactly one of text / raw (protocol §10): the other is refused, not silently dropped.
 */
export const wireMessageSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal(MessageKind.TEXT), text: body, raw: z.never().optional() }),
  z.object({ k: z.literal(MessageKind.RAW), raw: bytes, desc: body.optional(), text: z.never().optional() }),
  z.object({ k: z.literal(MessageKind.IMAGE), desc: body.optional(), media: wireMedia }),
  z.object({ k: z.literal(MessageKind.FILE), desc: body.optional(), media: wireMedia }),
]);

const attrs = z.record(id, text);
const none = z.object({});

/**
 * Metadata requests refuse unknown fields (strict objects, items too) instead of dropping them: a
 * misspelt `majorRevision` would otherwise turn a compare-and-set into an unchecked write.
 */
const revision = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER);
const metadataItems = z.array(z.strictObject({ key: id, value: text.optional(), revision: revision.optional() })).max(256);
const metadataOptions = { majorRevision: revision.optional(), recordTs: z.boolean().optional(), recordUserId: z.boolean().optional() };
const userMetadataWrite = z.strictObject({ items: metadataItems, ...metadataOptions });
const channelMetadataWrite = z.strictObject({ ch: id, items: metadataItems, ...metadataOptions });

/**
 * An op's schema, and the error code for a field that fails it (INVALID_ARGUMENT unless listed):
 * the codes the SDK maps per operation, as the services would have answered.
 */
export interface RequestSchema<S extends z.ZodType = z.ZodType> {
  args: S;
  codes?: Readonly<Record<string, ErrorCode>>;
}

const def = <S extends z.ZodType>(args: S, codes?: Record<string, ErrorCode>): RequestSchema<S> => ({ args, codes });

export const requestSchemas = {
  [Op.LOGIN]: def(
    z.object({
      appId: id,
      uid: id,
      token: z.string().max(4096).optional(),
      instanceId: z.string().min(1).max(64).refine(noNul, NUL_MESSAGE),
      reconnect: z.boolean().optional(),
      sdk: z.string().max(ID_MAX).optional(),
    }),
    { appId: ErrorCode.INVALID_APP_ID, uid: ErrorCode.INVALID_USER_ID, token: ErrorCode.INVALID_TOKEN },
  ),
  [Op.LOGOUT]: def(none),
  [Op.RENEW_TOKEN]: def(z.object({ token: z.string().max(4096) }), { token: ErrorCode.INVALID_TOKEN }),
  [Op.QUERY_ONLINE]: def(z.object({ uids: ids })),
  [Op.SEND_PEER]: def(
    z.object({ to: id, id: z.string().min(1).max(128), m: wireMessageSchema, offline: z.boolean().optional(), hist: z.boolean().optional() }),
    {
      to: ErrorCode.INVALID_USER_ID,
      m: ErrorCode.INVALID_MESSAGE,
    },
  ),
  [Op.JOIN]: def(z.object({ ch: id, since: count.optional(), seen: z.array(z.string().max(128)).max(LIST_MAX).optional() })),
  [Op.LEAVE]: def(z.object({ ch: id })),
  [Op.SEND_CHANNEL]: def(z.object({ ch: id, id: z.string().min(1).max(128), m: wireMessageSchema, hist: z.boolean().optional() }), {
    m: ErrorCode.INVALID_MESSAGE,
  }),
  [Op.GET_MEMBERS]: def(z.object({ ch: id })),
  [Op.MEMBER_COUNT]: def(z.object({ chs: ids })),
  [Op.SET_USER_ATTRS]: def(z.object({ attrs })),
  [Op.ADD_USER_ATTRS]: def(z.object({ attrs })),
  [Op.DELETE_USER_ATTRS]: def(z.object({ keys: ids })),
  [Op.CLEAR_USER_ATTRS]: def(none),
  [Op.GET_USER_ATTRS]: def(z.object({ uid: id, keys: ids.optional() }), { uid: ErrorCode.INVALID_USER_ID }),
  [Op.SET_CHANNEL_ATTRS]: def(z.object({ ch: id, attrs, notify: z.boolean().optional() })),
  [Op.ADD_CHANNEL_ATTRS]: def(z.object({ ch: id, attrs, notify: z.boolean().optional() })),
  [Op.DELETE_CHANNEL_ATTRS]: def(z.object({ ch: id, keys: ids, notify: z.boolean().optional() })),
  [Op.CLEAR_CHANNEL_ATTRS]: def(z.object({ ch: id, notify: z.boolean().optional() })),
  [Op.GET_CHANNEL_ATTRS]: def(z.object({ ch: id, keys: ids.optional() })),
  [Op.SUBSCRIBE_STATUS]: def(z.object({ uids: ids })),
  [Op.UNSUBSCRIBE_STATUS]: def(z.object({ uids: ids })),
  [Op.QUERY_SUBSCRIBED]: def(z.object({ option: z.string().max(64) })),
  [Op.INVITE]: def(z.object({ id: z.string().min(1).max(128), callee: id, content: text.optional(), ch: id.optional() }), {
    callee: ErrorCode.INVALID_USER_ID,
  }),
  [Op.INVITE_CANCEL]: def(z.object({ id: z.string().max(128) })),
  [Op.INVITE_ACCEPT]: def(z.object({ id: z.string().max(128), caller: id, response: text.optional() })),
  [Op.INVITE_REFUSE]: def(z.object({ id: z.string().max(128), caller: id, response: text.optional() })),
  [Op.MEDIA_UPLOAD_BEGIN]: def(z.object({ size: count, name: text.optional(), type: z.enum([MediaType.FILE, MediaType.IMAGE]) })),
  [Op.MEDIA_UPLOAD_CHUNK]: def(z.object({ uploadId: id, seq: count, data: bytes })),
  [Op.MEDIA_UPLOAD_END]: def(z.object({ uploadId: id })),
  [Op.MEDIA_CANCEL]: def(z.object({ uploadId: id })),
  [Op.MEDIA_INFO]: def(z.object({ mediaId: id })),
  [Op.MEDIA_READ]: def(z.object({ mediaId: id, offset: count, length: count })),
  [Op.SET_USER_METADATA]: def(userMetadataWrite),
  [Op.ADD_USER_METADATA]: def(userMetadataWrite),
  [Op.UPDATE_USER_METADATA]: def(userMetadataWrite),
  [Op.DELETE_USER_METADATA]: def(userMetadataWrite),
  [Op.CLEAR_USER_METADATA]: def(z.strictObject(metadataOptions)),
  [Op.GET_USER_METADATA]: def(z.strictObject({ uid: id }), { uid: ErrorCode.INVALID_USER_ID }),
  [Op.SUBSCRIBE_USER_METADATA]: def(z.strictObject({ uids: ids })),
  [Op.UNSUBSCRIBE_USER_METADATA]: def(z.strictObject({ uids: ids })),
  [Op.SET_CHANNEL_METADATA]: def(channelMetadataWrite),
  [Op.ADD_CHANNEL_METADATA]: def(channelMetadataWrite),
  [Op.UPDATE_CHANNEL_METADATA]: def(channelMetadataWrite),
  [Op.DELETE_CHANNEL_METADATA]: def(channelMetadataWrite),
  [Op.CLEAR_CHANNEL_METADATA]: def(z.strictObject({ ch: id, ...metadataOptions })),
  [Op.GET_CHANNEL_METADATA]: def(z.strictObject({ ch: id })),
  [Op.GET_CHANNEL_HISTORY]: def(z.strictObject({ ch: id, before: count.optional(), limit: historyLimit.optional() })),
  [Op.GET_PEER_HISTORY]: def(z.strictObject({ peer: id, before: count.optional(), limit: historyLimit.optional() }), { peer: ErrorCode.INVALID_USER_ID }),
} as const satisfies Record<Op, RequestSchema>;

export type RequestArgs<O extends Op> = z.infer<(typeof requestSchemas)[O]['args']>;

export type ParsedArgs = { ok: true; args: unknown } | { ok: false; code: ErrorCode; message: string };

/**
 * Parses a request's args against its op's schema. Never throws: a value that fails (of any type,
 * however built) yields the field's code and a message naming the field.
 */
export function parseRequestArgs(op: Op, raw: unknown): ParsedArgs {
  const schema: RequestSchema = requestSchemas[op];
  const parsed = schema.args.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, args: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  const code = (typeof field === 'string' && schema.codes?.[field]) || ErrorCode.INVALID_ARGUMENT;
  const where = issue?.path.length ? issue.path.join('.') : 'args';
  return { ok: false, code, message: `${where}: ${issue?.message ?? 'invalid'}` };
}
