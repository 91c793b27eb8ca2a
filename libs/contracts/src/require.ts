import { ErrorCode, ParleyError } from './errors';
import { isAppId, isChannelId, isUid, type AppId, type ChannelId, type Uid } from './ids';

/** Checks an id arriving over NATS or the wire, or throws the typed error a service answers with. */
export function requireAppId(value: unknown): AppId {
  if (!isAppId(value)) throw new ParleyError(ErrorCode.INVALID_APP_ID, 'invalid app id');
  return value;
}

export function requireUid(value: unknown): Uid {
  if (!isUid(value)) throw new ParleyError(ErrorCode.INVALID_USER_ID, 'invalid uid');
  return value;
}

export function requireChannelId(value: unknown): ChannelId {
  if (!isChannelId(value)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
  return value;
}
