import { ErrorCode, ParleyError } from '@parley/contracts';
import { UserAttrsOp } from '@parley/contracts/internal';
import type { AttributesConfig } from '../config/attributes.config';

/**
 * The rules of user and channel attributes (agora-rtm 1.x): what a key and a value may be, and how
 * many of them one call and one set may hold. Every write and read request passes through here first;
 * the merged set is checked again inside the write's transaction, so a failed call changes nothing.
 */
export interface AttributeLimits {
  keyMaxBytes: number;
  valueMaxBytes: number;
  /** Attributes of one set, and of one call. */
  maxKeys: number;
  /** UTF-8 bytes of keys plus values of one set, and of one call. */
  maxBytes: number;
  /** Keys one get-by-keys or delete call may name. */
  keysPerCall: number;
}

export function userLimits(config: Readonly<AttributesConfig>): AttributeLimits {
  return {
    keyMaxBytes: config.ATTR_KEY_MAX_BYTES,
    valueMaxBytes: config.ATTR_VALUE_MAX_BYTES,
    maxKeys: config.USER_ATTRS_MAX_KEYS,
    maxBytes: config.USER_ATTRS_MAX_BYTES,
    keysPerCall: config.ATTR_KEYS_PER_CALL,
  };
}

export function channelLimits(config: Readonly<AttributesConfig>): AttributeLimits {
  return {
    keyMaxBytes: config.ATTR_KEY_MAX_BYTES,
    valueMaxBytes: config.ATTR_VALUE_MAX_BYTES,
    maxKeys: config.CHANNEL_ATTRS_MAX_KEYS,
    maxBytes: config.CHANNEL_ATTRS_MAX_BYTES,
    keysPerCall: config.ATTR_KEYS_PER_CALL,
  };
}

/** A checked write: keys and values are valid and the call itself is within the limits. */
export type AttributeChange =
  | { op: typeof UserAttrsOp.SET | typeof UserAttrsOp.ADD; attrs: ReadonlyMap<string, string> }
  | { op: typeof UserAttrsOp.DELETE; keys: readonly string[] }
  | { op: typeof UserAttrsOp.CLEAR };

/** Control characters (also unassigned and private-use ones) and white space are not visible. */
const NOT_VISIBLE = /[\p{C}\s]/u;

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** UTF-8 bytes of every key and value. */
export function totalBytes(attrs: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const [key, value] of attrs) n += byteLength(key) + byteLength(value);
  return n;
}

function invalid(message: string): never {
  throw new ParleyError(ErrorCode.INVALID_ARGUMENT, message);
}

function overflow(message: string): never {
  throw new ParleyError(ErrorCode.SIZE_OVERFLOW, message);
}

export function checkKey(key: unknown, limits: AttributeLimits): string {
  if (typeof key !== 'string' || key.length === 0) invalid('attribute key: a non-empty string');
  if (byteLength(key) > limits.keyMaxBytes) invalid(`attribute key: at most ${limits.keyMaxBytes} bytes`);
  if (NOT_VISIBLE.test(key)) invalid('attribute key: visible characters only');
  return key;
}

/** The keys of a delete or get-by-keys call (duplicates dropped). */
export function checkKeyList(keys: unknown, limits: AttributeLimits): string[] {
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > limits.keysPerCall) {
    invalid(`keys: 1–${limits.keysPerCall} attribute keys`);
  }
  return [...new Set(keys.map((key) => checkKey(key, limits)))];
}

/** The optional keys of a get: undefined means all. */
export function parseKeyFilter(keys: unknown, limits: AttributeLimits): string[] | undefined {
  return keys === undefined || keys === null ? undefined : checkKeyList(keys, limits);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The attributes of a set/add call; malformed entries are INVALID_ARGUMENT whatever the call's size. */
export function checkAttrs(attrs: unknown, limits: AttributeLimits, allowEmpty: boolean): Map<string, string> {
  if (!isPlainObject(attrs)) invalid('attributes: a map of key → value');
  const entries = Object.entries(attrs);
  if (entries.length === 0 && !allowEmpty) invalid('attributes: at least one');
  const checked = new Map<string, string>();
  for (const [key, value] of entries) {
    checkKey(key, limits);
    if (typeof value !== 'string') invalid(`attribute ${key}: the value must be a string`);
    if (value.length === 0) invalid(`attribute ${key}: the value must not be empty`);
    checked.set(key, value);
  }
  for (const [key, value] of checked) {
    if (byteLength(value) > limits.valueMaxBytes) overflow(`attribute ${key}: value over ${limits.valueMaxBytes} bytes`);
  }
  checkSize(checked, limits, 'one call');
  return checked;
}

/** A set's (or a call's) number of attributes and bytes. */
export function checkSize(attrs: ReadonlyMap<string, string>, limits: AttributeLimits, what: string): void {
  if (attrs.size > limits.maxKeys) overflow(`${what}: more than ${limits.maxKeys} attributes`);
  if (totalBytes(attrs) > limits.maxBytes) overflow(`${what}: more than ${limits.maxBytes} bytes of keys and values`);
}

/** Checks a write request's op and arguments on their own (before any state is read). */
export function parseChange(req: { op?: unknown; attrs?: unknown; keys?: unknown }, limits: AttributeLimits): AttributeChange {
  switch (req.op) {
    case UserAttrsOp.SET:
      // An empty map replaces the set with nothing: a clear.
      return { op: UserAttrsOp.SET, attrs: checkAttrs(req.attrs, limits, true) };
    case UserAttrsOp.ADD:
      return { op: UserAttrsOp.ADD, attrs: checkAttrs(req.attrs, limits, false) };
    case UserAttrsOp.DELETE:
      return { op: UserAttrsOp.DELETE, keys: checkKeyList(req.keys, limits) };
    case UserAttrsOp.CLEAR:
      return { op: UserAttrsOp.CLEAR };
    default:
      return invalid('op: set, add, delete or clear');
  }
}

/** The set a change leaves behind. */
export function merge(current: ReadonlyMap<string, string>, change: AttributeChange): Map<string, string> {
  switch (change.op) {
    case UserAttrsOp.SET:
      return new Map(change.attrs);
    case UserAttrsOp.ADD:
      return new Map([...current, ...change.attrs]);
    case UserAttrsOp.DELETE: {
      const left = new Map(current);
      for (const key of change.keys) left.delete(key);
      return left;
    }
    case UserAttrsOp.CLEAR:
      return new Map();
  }
}

/**
 * Checks the set a change would leave; throws SIZE_OVERFLOW before anything is written. Removals
 * always pass (a set over lowered limits can still shrink).
 */
export function checkMerged(current: ReadonlyMap<string, string>, change: AttributeChange, limits: AttributeLimits): void {
  if (change.op === UserAttrsOp.SET || change.op === UserAttrsOp.ADD) checkSize(merge(current, change), limits, 'the attribute set');
}
