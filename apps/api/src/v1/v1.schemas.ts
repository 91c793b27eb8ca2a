import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/** Comma-separated list in a query parameter, each item checked by `item`. */
const list = (item: z.ZodType<string, string>, max: number) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(item).min(1).max(max, `at most ${max} items`));

export const AppParams = z.object({ appid: AppIdParam });
export const ChannelParams = z.object({ appid: AppIdParam, channel: ChannelName });

export const StatusQuery = z.strictObject({ uids: list(UserId, 256).meta({ description: 'Up to 256 uids, comma-separated.' }) });
export const StatusResponse = z
  .strictObject({
    statuses: z.record(z.string(), z.enum(['ONLINE', 'UNREACHABLE', 'OFFLINE'])),
    request_id: z.string(),
  })
  .meta({ id: 'OnlineStatusResponse' });

export const CountsQuery = z.strictObject({ channels: list(ChannelName, 32).meta({ description: 'Up to 32 channel ids, comma-separated.' }) });
export const CountsResponse = z.strictObject({ counts: z.record(z.string(), z.number().int()), request_id: z.string() }).meta({ id: 'MemberCountsResponse' });

export const MembersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'Members per page (default 100, at most 1000).' }),
  after: UserId.optional().meta({ description: 'The `next` of the previous page.' }),
});
export const MembersResponse = z
  .strictObject({
    members: z.array(z.string()).meta({ description: 'In uid order.' }),
    next: z.string().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page.' }),
    request_id: z.string(),
  })
  .meta({ id: 'ChannelMembersResponse' });

export const UserParams = z.object({ appid: AppIdParam, uid: UserId });
export const UserChannelsResponse = z.strictObject({ channels: z.array(z.string()), request_id: z.string() }).meta({ id: 'UserChannelsResponse' });

export const ApiErrorBody = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }), request_id: z.string() }).meta({ id: 'Error' });

export { UserId };
