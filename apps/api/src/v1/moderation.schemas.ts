import { BAN_SECONDS_MAX, KICK_REASON_MAX } from '@parley/contracts/internal';
import { z } from 'zod';
import { AppIdParam, ChannelName, UserId } from '../agora/agora.schemas';

/** Kicks and bans (docs/api.md, "Kicks and bans"). Unix ms like every other time of the /v1 answers. */

const Until = z.number().int().meta({ description: 'Unix ms when the ban ends (server clock).' });

export const ModerationUserParams = z.object({ appid: AppIdParam, uid: UserId });
export const ModerationChannelParams = z.object({ appid: AppIdParam, channel: ChannelName });
export const ChannelBanParams = z.object({ appid: AppIdParam, channel: ChannelName, uid: UserId });

export const KickBody = z
  .strictObject({
    banSeconds: z
      .number()
      .int()
      .min(0)
      .max(BAN_SECONDS_MAX)
      .optional()
      .meta({ description: `0 (default): only end the sessions. 1–${BAN_SECONDS_MAX}: also refuse the user's logins that long (replacing a ban it has).` }),
    reason: z.string().max(KICK_REASON_MAX).optional().meta({ description: 'Kept with the ban and logged, for operators; not sent to the SDK.' }),
  })
  .meta({ id: 'KickRequest' });

export const KickResponse = z
  .strictObject({
    kicked: z.boolean().meta({ description: 'The user had a session (it ended on every gateway; the user is OFFLINE now).' }),
    until: Until.nullable().meta({ description: 'When the user’s login ban ends (this kick’s, or one it already had); null: not banned.' }),
    request_id: z.string(),
  })
  .meta({ id: 'KickResponse' });

export const UserBanResponse = z.strictObject({ banned: z.boolean(), until: Until.nullable(), request_id: z.string() }).meta({ id: 'UserBanResponse' });

export const BanLiftResponse = z
  .strictObject({ lifted: z.boolean().meta({ description: 'An active ban was lifted (false: there was none).' }), request_id: z.string() })
  .meta({ id: 'BanLiftResponse' });

export const ChannelBanBody = z
  .strictObject({
    uid: UserId,
    seconds: z
      .number()
      .int()
      .min(1)
      .max(BAN_SECONDS_MAX)
      .meta({ description: `How long the user may not join the channel: 1–${BAN_SECONDS_MAX}.` }),
  })
  .meta({ id: 'ChannelBanRequest' });

export const ChannelBanResponse = z
  .strictObject({
    uid: z.string(),
    removed: z.boolean().meta({ description: 'The user was a member and was removed (the other members got MemberLeft).' }),
    until: Until,
    request_id: z.string(),
  })
  .meta({ id: 'ChannelBanResponse' });

export const ChannelBansQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'Bans per page (default 100, at most 1000).' }),
  after: UserId.optional().meta({ description: 'The `next` of the previous page.' }),
});

export const ChannelBansResponse = z
  .strictObject({
    bans: z.array(z.strictObject({ uid: z.string(), until: Until })).meta({ description: 'Active bans in uid order.' }),
    next: z.string().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page.' }),
    request_id: z.string(),
  })
  .meta({ id: 'ChannelBansResponse' });

export type KickBody = z.infer<typeof KickBody>;
export type ChannelBanBody = z.infer<typeof ChannelBanBody>;
export type ChannelBansQuery = z.infer<typeof ChannelBansQuery>;
