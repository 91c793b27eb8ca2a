import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from './agora.schemas';

/**
 * Agora RTM 1.x's message-history endpoints (spec §11): a query made into a handle, the handle read
 * back, and a count. Shapes and key order are Agora's documented ones (test/fixtures/agora-history).
 */

/** Agora's page sizes. */
export const HISTORY_QUERY_LIMITS = [20, 50, 100] as const;
/** The deepest offset a query may start at (the history service walks past every skipped row). */
export const HISTORY_QUERY_OFFSET_MAX = 100_000;

/**
 * `yyyy-mm-ddThh:mm:ssZ` (fractional seconds allowed, only UTC "Z"), as Unix ms. Agora's own example
 * of the count endpoint quotes its values (`source="src"`): one pair of surrounding quotes is dropped
 * from query values, which no id or time may contain anyway.
 */
const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
/** A query value (a string) with its surrounding quotes dropped, then checked by `inner`. */
const queryValue = <T extends z.ZodType<unknown, string>>(inner: T) => z.string().transform(unquote).pipe(inner);
const IsoUtc = z.iso
  .datetime({ message: 'must be an ISO 8601 UTC time like 2019-08-01T01:22:10Z' })
  .meta({ description: 'ISO 8601, UTC with "Z" (yyyy-mm-ddThh:mm:ssZ; fractions of a second allowed).', example: '2019-08-01T01:22:10Z' });
const Time = IsoUtc.transform((s) => Date.parse(s));

const Source = UserId.meta({ description: 'The sender (a uid; a channel never sends).', example: 'userA' });
const Destination = ChannelName.meta({ description: 'The receiver (a uid) or the channel.', example: 'userB' });

/** Agora's rules: at least one of source / destination, start before end. */
const filterRules = <T extends { source?: string | null; destination?: string | null; start_time: number; end_time: number }>(f: T, ctx: z.RefinementCtx) => {
  if (!f.source && !f.destination) ctx.addIssue({ code: 'custom', message: 'give source, destination or both', path: ['source'] });
  if (f.start_time >= f.end_time) ctx.addIssue({ code: 'custom', message: 'must be after start_time', path: ['end_time'] });
};

export const HistoryFilterBody = z
  .strictObject({
    source: Source.nullable().optional(),
    destination: Destination.nullable().optional(),
    start_time: Time,
    end_time: Time.meta({ description: 'Exclusive; after start_time.' }),
  })
  .superRefine(filterRules)
  .meta({
    id: 'AgoraHistoryFilter',
    description:
      '(none, A): everything A received, or every message to channel A; (A, none): everything A sent; (A, B): A → B; (A, channel): A’s messages to it. The source is always a sender (a uid).',
  });

export const HistoryQueryBody = z
  .strictObject({
    filter: HistoryFilterBody,
    offset: z
      .number()
      .int()
      .min(0)
      .max(HISTORY_QUERY_OFFSET_MAX)
      .optional()
      .meta({ description: `Messages of the filter to skip (default 0, at most ${HISTORY_QUERY_OFFSET_MAX}).` }),
    limit: z.literal(HISTORY_QUERY_LIMITS).optional().meta({ description: 'Messages per page: 20 (default), 50 or 100.' }),
    order: z.enum(['asc', 'desc']).optional().meta({ description: 'asc (default): oldest first; desc: newest first.' }),
  })
  .meta({ id: 'AgoraHistoryQueryRequest' });

export const HistoryCountQuery = z
  .strictObject({
    source: queryValue(Source).optional().meta({ description: 'The sender.' }),
    destination: queryValue(Destination).optional().meta({ description: 'The receiver or the channel.' }),
    start_time: queryValue(Time).meta({ description: 'ISO 8601 UTC (…Z), inclusive.', example: '2019-08-01T01:22:10Z' }),
    end_time: queryValue(Time).meta({ description: 'ISO 8601 UTC (…Z), exclusive; after start_time.', example: '2019-08-01T01:24:10Z' }),
  })
  .superRefine(filterRules);

export const HandleParams = z.object({
  appid: AppIdParam,
  handle: z.string().meta({ description: 'The last segment of the query’s `location`.' }),
});

export const HistoryQueryResponse = z
  .strictObject({
    result: z.literal('success'),
    offset: z.number().int(),
    limit: z.number().int(),
    order: z.enum(['asc', 'desc']),
    location: z.string().meta({ description: '`~/rtm/message/history/query/<handle>`: GET it under the same base.' }),
  })
  .meta({ id: 'AgoraHistoryQueryResponse' });

export const HistoryMessagesResponse = z
  .strictObject({
    result: z.literal('success'),
    code: z.literal('ok').meta({ description: 'Always ok: Parley runs the query when the handle is read (never "in progress").' }),
    messages: z.array(
      z.strictObject({
        src: z.string(),
        dst: z.string().meta({ description: 'The receiver or the channel.' }),
        message_type: z.enum(['peer_message', 'channel_message']),
        payload: z.string().meta({ description: 'The text (Agora 1.x keeps text messages only).' }),
        ms: z.number().int().meta({ description: 'serverReceivedTs, Unix ms.' }),
      }),
    ),
  })
  .meta({ id: 'AgoraHistoryMessagesResponse' });

export const HistoryCountResponse = z
  .strictObject({ result: z.literal('success'), code: z.literal('ok'), count: z.number().int() })
  .meta({ id: 'AgoraHistoryCountResponse' });

export type HistoryQueryBody = z.infer<typeof HistoryQueryBody>;
export type HistoryCountQuery = z.infer<typeof HistoryCountQuery>;
export type HistoryQueryAnswer = z.infer<typeof HistoryQueryResponse>;
export type HistoryMessagesAnswer = z.infer<typeof HistoryMessagesResponse>;
export type HistoryCountAnswer = z.infer<typeof HistoryCountResponse>;
