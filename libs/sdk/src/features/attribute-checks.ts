import { ATTRIBUTE_LIMITS, utf8Length, type ChannelAttributesMap } from '@parley/contracts';
import { ATTRIBUTE_OPERATION_ERR, RtmError, RtmInvalidArgumentError, RtmLimitExceededError } from '../errors';
import type { AttributesMap, ChannelAttributeOptions, ChannelAttributes } from '../types';
import { put } from '../validate';

/**
 * agora-rtm-sdk 1.6.0's client-side checks of attribute calls (spec §7.1, §7.2), shared by user
 * and channel attributes. Only agora's published defaults are enforced here; the server re-checks
 * with its own (configurable) limits.
 */
export interface AttributeLimits {
  /** Keys per call. */
  maxKeys: number;
  /** Sum of the UTF-8 bytes of every key and value of one call. */
  maxBytes: number;
}

export const USER_ATTRIBUTE_LIMITS: AttributeLimits = { maxKeys: ATTRIBUTE_LIMITS.USER_MAX_KEYS, maxBytes: ATTRIBUTE_LIMITS.USER_MAX_BYTES };
export const CHANNEL_ATTRIBUTE_LIMITS: AttributeLimits = { maxKeys: ATTRIBUTE_LIMITS.CHANNEL_MAX_KEYS, maxBytes: ATTRIBUTE_LIMITS.CHANNEL_MAX_BYTES };

const OP = 'ATTRIBUTE_OPERATION';

function invalid(why: string): RtmError {
  return new RtmInvalidArgumentError(`${OP}: ${why}.`, ATTRIBUTE_OPERATION_ERR.INVALID_ARGUMENT);
}

function overflow(why: string): RtmError {
  return new RtmLimitExceededError(`${OP}: ${why}.`, ATTRIBUTE_OPERATION_ERR.SIZE_OVERFLOW);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An attribute key: a string of 1–32 UTF-8 bytes. */
export function isAttributeKey(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  return utf8Length(value) <= ATTRIBUTE_LIMITS.KEY_MAX_BYTES;
}

/** A copy of `value` as an AttributesMap, or the agora error for it. */
export function checkAttributes(value: unknown, limits: AttributeLimits): AttributesMap | RtmError {
  if (!isPlainObject(value)) return invalid('attributes must be an object of string values');
  const attrs: AttributesMap = {};
  let bytes = 0;
  let oversizedValue: string | undefined;
  for (const [key, v] of Object.entries(value)) {
    if (!isAttributeKey(key)) return invalid(`attribute key "${key}" must be 1 to ${ATTRIBUTE_LIMITS.KEY_MAX_BYTES} bytes`);
    if (typeof v !== 'string' || v === '') return invalid(`the value of attribute "${key}" must be a non-empty string`);
    const size = utf8Length(v);
    if (size > ATTRIBUTE_LIMITS.VALUE_MAX_BYTES) oversizedValue ??= key;
    bytes += utf8Length(key) + size;
    put(attrs, key, v);
  }
  if (oversizedValue !== undefined) return overflow(`the value of attribute "${oversizedValue}" is larger than ${ATTRIBUTE_LIMITS.VALUE_MAX_BYTES} bytes`);
  const count = Object.keys(attrs).length;
  if (count > limits.maxKeys) return overflow(`${count} attributes, at most ${limits.maxKeys} per call`);
  if (bytes > limits.maxBytes) return overflow(`${bytes} bytes of attributes, at most ${limits.maxBytes} per call`);
  return attrs;
}

/** A copy of a key list (get-by-keys, delete: 1–32 valid keys), or the agora error for it. */
export function checkKeys(value: unknown): string[] | RtmError {
  const max = ATTRIBUTE_LIMITS.KEYS_PER_CALL;
  if (!Array.isArray(value) || value.length === 0 || value.length > max) return invalid(`attribute keys must be a list of 1 to ${max} keys`);
  const keys: string[] = [];
  for (const key of value as unknown[]) {
    if (!isAttributeKey(key)) return invalid(`attribute keys must be strings of 1 to ${ATTRIBUTE_LIMITS.KEY_MAX_BYTES} bytes`);
    keys.push(key);
  }
  return keys;
}

/** ChannelAttributeOptions → the wire's `notify` flag, or the agora error. */
export function checkChannelOptions(options: unknown): boolean | RtmError {
  if (options === undefined) return false;
  if (!isPlainObject(options)) return invalid('options must be a ChannelAttributeOptions object');
  const notify = (options as ChannelAttributeOptions).enableNotificationToChannelMembers;
  if (notify !== undefined && typeof notify !== 'boolean') return invalid('enableNotificationToChannelMembers must be a boolean');
  return notify === true;
}

/** The keys of what an app passed as attributes, for the call trace (values stay out of logs). */
export function keysOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : value;
}

/** A server AttributesMap with anything that is not a string value left out. */
export function toAttributesMap(value: unknown): AttributesMap {
  const out: AttributesMap = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') put(out, key, v);
  return out;
}

/** A server ChannelAttributesMap as agora's ChannelAttributes (malformed entries left out). */
export function toChannelAttributes(value: unknown): ChannelAttributes {
  const out: ChannelAttributes = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, entry] of Object.entries(value as ChannelAttributesMap)) {
    if (typeof entry !== 'object' || entry === null || typeof entry.value !== 'string') continue;
    put(out, key, {
      value: entry.value,
      lastUpdateUserId: typeof entry.lastUpdateUserId === 'string' ? entry.lastUpdateUserId : '',
      lastUpdateTs: typeof entry.lastUpdateTs === 'number' ? entry.lastUpdateTs : 0,
    });
  }
  return out;
}

export function isRtmError(value: unknown): value is RtmError {
  return value instanceof RtmError;
}
