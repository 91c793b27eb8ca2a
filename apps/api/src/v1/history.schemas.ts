import { HISTORY_LIMITS } from '@parley/contracts';
import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/**
 * Parley's history pages (Agora RTM 2.x's `getMessages`: `start` / `end` / `messageCount`, and a
 * `newStart` cursor), newest first, for one channel or one conversation (both directions).
 */

const Ms = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const HistoryPageQuery = z
  .strictObject({
    start: Ms.optional().meta({
      description: 'Exclusive upper bound, Unix ms: only older messages (absent or 0: now). Pass the previous page’s `newStart` for the next one.',
    }),
    end: Ms.optional().meta({ description: 'Inclusive lower bound, Unix ms (absent or 0: as far back as the app keeps).' }),
    messageCount: z.coerce
      .number()
      .int()
      .min(1)
      .max(HISTORY_LIMITS.PAGE_MAX)
      .optional()
      .meta({ description: `Messages per page, 1–${HISTORY_LIMITS.PAGE_MAX} (default ${HISTORY_LIMITS.PAGE_DEFAULT}).` }),
  })
  .refine((q) => !q.start || !q.end || q.end < q.start, { message: 'must be before start (start is the newer bound)', path: ['end'] });

export const HistoryChannelParams = z.object({ appid: AppIdParam, channel: ChannelName });
export const HistoryPeerParams = z.object({
  appid: AppIdParam,
  uid: UserId,
  peer: UserId.meta({ description: 'The other party of the conversation.', example: 'bob' }),
});

const HistoryMedia = z
  .strictObject({
    mediaId: z.string(),
    size: z.number().int().meta({ description: 'Bytes.' }),
    fileName: z.string(),
    width: z.number().int().optional().meta({ description: 'IMAGE, when known.' }),
    height: z.number().int().optional().meta({ description: 'IMAGE, when known.' }),
  })
  .meta({ id: 'HistoryMedia', description: 'The stored media’s metadata (download it with the SDK’s downloadMedia while it is kept).' });

const HistoryMessage = z
  .strictObject({
    messageId: z.string().meta({ description: 'The sender’s message id.' }),
    from: z.string(),
    to: z.string().optional().meta({ description: 'Peer messages: the receiver.' }),
    messageType: z.enum(['TEXT', 'RAW', 'IMAGE', 'FILE']),
    text: z.string().optional().meta({ description: 'TEXT.' }),
    rawMessage: z.string().optional().meta({ description: 'RAW: the bytes, base64.' }),
    description: z.string().optional().meta({ description: 'RAW, FILE, IMAGE: the description, when given.' }),
    media: HistoryMedia.optional(),
    serverReceivedTs: z.number().int().meta({ description: 'Unix ms.' }),
  })
  .meta({ id: 'HistoryMessage' });

export const HistoryPageResponse = z
  .strictObject({
    messages: z.array(HistoryMessage).meta({ description: 'Newest first.' }),
    count: z.number().int().meta({ description: 'Messages in this page.' }),
    newStart: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Pass as `start` for the next (older) page; null: there is none. A page never ends inside one millisecond.' }),
    request_id: z.string(),
  })
  .meta({ id: 'HistoryPageResponse' });

export type HistoryPageQuery = z.infer<typeof HistoryPageQuery>;
export type HistoryPageAnswer = z.infer<typeof HistoryPageResponse>;
export type HistoryMessageView = z.infer<typeof HistoryMessage>;
