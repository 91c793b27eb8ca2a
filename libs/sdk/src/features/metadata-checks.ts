import { isMetadataKey, METADATA_LIMITS, NO_REVISION_CHECK, utf8Length, type MetadataItemArgs, type MetadataOptionsArgs } from '@parley/contracts';
import { METADATA_OPERATION_ERR, RtmInvalidArgumentError, RtmLimitExceededError, type RtmError } from '../errors';
import { RtmMetadataItem } from '../metadata-item';
import type { RtmMetadata } from '../types';

/**
 * Client-side checks of metadata calls (agora-rtm-sdk 1.6.0: keys unique, key rule, revisions ≥ -1)
 * and the conversion between RtmMetadataItem / RtmMetadataOptions and the wire. Only the published
 * defaults are enforced here; the server re-checks with its own (configurable) limits.
 */
const OP = 'METADATA_OPERATION';

/** What a write does with its items: set replaces (may be empty), delete needs keys only. */
export type MetadataWriteKind = 'set' | 'add' | 'update' | 'delete';

export interface MetadataCallLimits {
  /** Items per call. */
  maxItems: number;
  /** UTF-8 bytes of every key and value of one call. */
  maxBytes: number;
}

export const USER_METADATA_CALL_LIMITS: MetadataCallLimits = { maxItems: METADATA_LIMITS.ITEMS_PER_CALL, maxBytes: METADATA_LIMITS.USER_MAX_BYTES };
export const CHANNEL_METADATA_CALL_LIMITS: MetadataCallLimits = { maxItems: METADATA_LIMITS.ITEMS_PER_CALL, maxBytes: METADATA_LIMITS.CHANNEL_MAX_BYTES };

function invalid(why: string): RtmError {
  return new RtmInvalidArgumentError(`${OP}: ${why}.`, METADATA_OPERATION_ERR.INVALID_ARGUMENT);
}

function overflow(why: string): RtmError {
  return new RtmLimitExceededError(`${OP}: ${why}.`, METADATA_OPERATION_ERR.SIZE_OVERFLOW);
}

interface ItemLike {
  getKey(): unknown;
  getValue(): unknown;
  getRevision(): unknown;
}

/** An RtmMetadataItem (made by createMetadataItem, or anything with its getters). */
function isItemLike(value: unknown): value is ItemLike {
  const v = value as Partial<Record<keyof ItemLike, unknown>> | null;
  return typeof v === 'object' && v !== null && typeof v.getKey === 'function' && typeof v.getValue === 'function' && typeof v.getRevision === 'function';
}

function isRevision(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= NO_REVISION_CHECK;
}

/** The items of a write on the wire, or the agora error for them. */
export function checkItems(items: unknown, kind: MetadataWriteKind, limits: MetadataCallLimits): MetadataItemArgs[] | RtmError {
  if (!Array.isArray(items)) return invalid('items must be an array of RtmMetadataItem');
  if (items.length === 0 && kind !== 'set') return invalid('items must not be empty');
  const out: MetadataItemArgs[] = [];
  const keys = new Set<string>();
  let bytes = 0;
  let oversized: string | undefined;
  for (const item of items as unknown[]) {
    if (!isItemLike(item)) return invalid('items must be RtmMetadataItem objects (client.createMetadataItem())');
    const key = item.getKey();
    if (!isMetadataKey(key))
      return invalid(`key "${String(key)}": 1 to ${METADATA_LIMITS.KEY_MAX_BYTES} characters of the user id charset without "_", not "null"`);
    if (keys.has(key)) return new RtmInvalidArgumentError(`${OP}: the key "${key}" is given twice.`, METADATA_OPERATION_ERR.DUPLICATE_KEY);
    keys.add(key);
    const revision = item.getRevision();
    if (!isRevision(revision)) return invalid(`the revision of "${key}" must be an integer ≥ -1`);
    const value = item.getValue();
    if (value !== null && value !== undefined && typeof value !== 'string') return invalid(`the value of "${key}" must be a string or null`);
    const arg: MetadataItemArgs = { key };
    if (kind !== 'delete' && typeof value === 'string') {
      const size = utf8Length(value);
      if (size > METADATA_LIMITS.VALUE_MAX_BYTES) oversized ??= key;
      bytes += size;
      arg.value = value;
    }
    bytes += key.length;
    if (revision !== NO_REVISION_CHECK) arg.revision = revision;
    out.push(arg);
  }
  if (oversized !== undefined) return overflow(`the value of "${oversized}" is larger than ${METADATA_LIMITS.VALUE_MAX_BYTES} bytes`);
  if (out.length > limits.maxItems) return overflow(`${out.length} items, at most ${limits.maxItems} per call`);
  if (bytes > limits.maxBytes) return overflow(`${bytes} bytes of keys and values, at most ${limits.maxBytes} per call`);
  return out;
}

const OPTION_KEYS = new Set(['majorRevision', 'enableRecordTs', 'enableRecordUserId']);

/** RtmMetadataOptions on the wire (defaults left out), or the agora error; unknown keys are refused. */
export function checkOptions(options: unknown): MetadataOptionsArgs | RtmError {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) return invalid('options must be an RtmMetadataOptions object');
  const unknown = Object.keys(options).find((k) => !OPTION_KEYS.has(k));
  if (unknown !== undefined) return invalid(`options has no "${unknown}" (majorRevision, enableRecordTs, enableRecordUserId)`);
  const { majorRevision, enableRecordTs, enableRecordUserId } = options as Record<string, unknown>;
  const out: MetadataOptionsArgs = {};
  if (majorRevision !== undefined) {
    if (!isRevision(majorRevision)) return invalid('majorRevision must be an integer ≥ -1');
    if (majorRevision !== NO_REVISION_CHECK) out.majorRevision = majorRevision;
  }
  if (enableRecordTs !== undefined && typeof enableRecordTs !== 'boolean') return invalid('enableRecordTs must be a boolean');
  if (enableRecordUserId !== undefined && typeof enableRecordUserId !== 'boolean') return invalid('enableRecordUserId must be a boolean');
  if (enableRecordTs) out.recordTs = true;
  if (enableRecordUserId) out.recordUserId = true;
  return out;
}

/** The majorRevision of a server MetadataData, or undefined when it is malformed. */
export function majorRevisionOf(value: unknown): number | undefined {
  const md = value as { majorRevision?: unknown; items?: unknown } | null;
  if (typeof md !== 'object' || md === null || typeof md.majorRevision !== 'number' || !Array.isArray(md.items)) return undefined;
  return md.majorRevision;
}

/** A server MetadataData as agora's RtmMetadata (malformed items left out). */
export function toRtmMetadata(value: unknown): RtmMetadata {
  const majorRevision = majorRevisionOf(value);
  if (majorRevision === undefined) return { items: [], majorRevision: 0 };
  const items: RtmMetadataItem[] = [];
  for (const raw of (value as { items: unknown[] }).items) {
    const i = raw as Record<string, unknown> | null;
    if (typeof i !== 'object' || i === null || typeof i['key'] !== 'string' || typeof i['value'] !== 'string') continue;
    items.push(
      RtmMetadataItem.fromServer({
        key: i['key'],
        value: i['value'],
        revision: typeof i['revision'] === 'number' ? i['revision'] : 0,
        updateTs: typeof i['updateTs'] === 'number' ? i['updateTs'] : 0,
        authorUserId: typeof i['authorUserId'] === 'string' ? i['authorUserId'] : '',
      }),
    );
  }
  return { items, majorRevision };
}

/** The keys of what an app passed as items, for the call trace (values stay out of logs). */
export function keysOfItems(items: unknown): unknown {
  return Array.isArray(items) ? items.map((i: unknown) => (isItemLike(i) ? i.getKey() : i)) : items;
}
