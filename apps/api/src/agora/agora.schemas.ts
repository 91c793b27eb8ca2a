import { ID_LIMITS, isChannelId, isUid, utf8Length } from '@parley/contracts';
import { z } from 'zod';

/** Agora's payload limit: a non-empty string of at most 32 KB (UTF-8). The config's MESSAGE_MAX_BYTES is checked too. */
const PAYLOAD_MAX_BYTES = 32 * 1024;

export const UserId = z
  .string()
  .refine(isUid, 'must be 1–64 characters of the SDK’s uid alphabet, no leading or trailing space')
  .meta({ description: 'Signaling user id (the SDK’s rules).', example: 'server-bot' });
export const ChannelName = z
  .string()
  .refine(isChannelId, 'must be 1–64 characters of the SDK’s channel-id alphabet')
  .meta({ description: 'Channel id (the SDK’s rules).', example: 'lobby' });
export const AppIdParam = z
  .string()
  .regex(/^[A-Za-z0-9]{32}$/, 'must be 32 letters or digits')
  .meta({ description: 'App id.' });
const Payload = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => utf8Length(s) <= PAYLOAD_MAX_BYTES, `must be at most ${PAYLOAD_MAX_BYTES} bytes (UTF-8)`)
  .meta({ description: 'The message text (the SDK receives a TEXT message).' });

export const UserPathParams = z.object({ appid: AppIdParam, user_id: UserId });
export const AppPathParams = z.object({ appid: AppIdParam });

export const PeerMessageQuery = z.object({
  wait_for_ack: z.enum(['true', 'false']).optional().meta({ description: 'true: answer once the receiver’s client acknowledged (message_delivered).' }),
});

export const PeerMessageBody = z
  .strictObject({
    destination: UserId,
    enable_offline_messaging: z.boolean().optional(),
    enable_historical_messaging: z.boolean().optional(),
    payload: Payload,
  })
  .meta({ id: 'AgoraPeerMessageRequest' });

export const ChannelMessageBody = z
  .strictObject({
    channel_name: ChannelName,
    enable_historical_messaging: z.boolean().optional(),
    payload: Payload,
  })
  .meta({ id: 'AgoraChannelMessageRequest' });

export const PeerMessageResponse = z
  .strictObject({
    result: z.literal('success'),
    request_id: z.string(),
    code: z.enum(['message_sent', 'message_delivered', 'peer_offline']),
  })
  .meta({ id: 'AgoraPeerMessageResponse' });

export const ChannelMessageResponse = z
  .strictObject({ result: z.literal('success'), request_id: z.string(), code: z.literal('message_sent') })
  .meta({ id: 'AgoraChannelMessageResponse' });

export const UserEventsResponse = z
  .strictObject({
    result: z.literal('success'),
    request_id: z.string(),
    events: z.array(z.strictObject({ user_id: z.string(), type: z.enum(['Login', 'Logout']), ts: z.number().int() })),
  })
  .meta({ id: 'AgoraUserEventsResponse' });

export const ChannelEventsResponse = z
  .strictObject({
    result: z.literal('success'),
    request_id: z.string(),
    events: z.array(z.strictObject({ channel_id: z.string(), user_id: z.string(), type: z.enum(['Join', 'Leave']), ts: z.number().int() })),
  })
  .meta({ id: 'AgoraChannelEventsResponse' });

export const AgoraError = z
  .strictObject({ result: z.literal('failed'), request_id: z.string(), code: z.string(), message: z.string() })
  .meta({ id: 'AgoraError' });

export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'must be 1–128 visible ASCII characters');

export type PeerMessageBody = z.infer<typeof PeerMessageBody>;
export type ChannelMessageBody = z.infer<typeof ChannelMessageBody>;
export const MESSAGE_ID_MAX = ID_LIMITS.MESSAGE_ID_MAX;
