import { ErrorCode, isMetadataKey, NO_REVISION_CHECK, ParleyError, type MetadataData, type MetadataItemData, type Uid } from '@parley/contracts';
import { MetadataOp, type MetadataChangedDetail } from '@parley/contracts/internal';
import type { AttributesConfig } from '../config/attributes.config';

/**
 * The rules of user and channel metadata (agora-rtm-sdk 1.6.0): what a write may carry (checked
 * before any state is read), and what it does to the current set — compare-and-set on the set's
 * majorRevision and on item revisions, add / update semantics, the limits of the resulting set —
 * decided inside the write's transaction while the set is locked. A write that breaks any rule
 * throws a typed error and changes nothing.
 */
export interface MetadataLimits {
  keyMaxBytes: number;
  valueMaxBytes: number;
  /** Items of one set, and of one call. */
  maxItems: number;
  /** UTF-8 bytes of keys plus values of one set, and of one call. */
  maxBytes: number;
  /** Items one call may name. */
  itemsPerCall: number;
}

export function userMetadataLimits(config: Readonly<AttributesConfig>): MetadataLimits {
  return {
    keyMaxBytes: config.METADATA_KEY_MAX_BYTES,
    valueMaxBytes: config.METADATA_VALUE_MAX_BYTES,
    maxItems: config.USER_METADATA_MAX_ITEMS,
    maxBytes: config.USER_METADATA_MAX_BYTES,
    itemsPerCall: config.METADATA_ITEMS_PER_CALL,
  };
}

export function channelMetadataLimits(config: Readonly<AttributesConfig>): MetadataLimits {
  return {
    keyMaxBytes: config.METADATA_KEY_MAX_BYTES,
    valueMaxBytes: config.METADATA_VALUE_MAX_BYTES,
    maxItems: config.CHANNEL_METADATA_MAX_ITEMS,
    maxBytes: config.CHANNEL_METADATA_MAX_BYTES,
    itemsPerCall: config.METADATA_ITEMS_PER_CALL,
  };
}

/** One item of a checked write: `revision` -1 = no compare-and-set on it. */
export interface ChangeItem {
  key: string;
  value: string;
  revision: number;
}

/** A checked write: ids aside, everything it asks for, valid on its own. */
export interface MetadataChange {
  op: MetadataOp;
  items: readonly ChangeItem[];
  /** -1 = no compare-and-set on the set. */
  majorRevision: number;
  recordTs: boolean;
  recordUserId: boolean;
  author: Uid;
}

/** The current set as the write's transaction read it (majorRevision 0: never written). */
export interface MetadataState {
  majorRevision: number;
  items: ReadonlyMap<string, MetadataItemData>;
}

/** What a write does to the current set; `replace`: every key not in `upserts` goes. */
export interface MetadataPlan {
  upserts: readonly ChangeItem[];
  deletes: readonly string[];
  replace: boolean;
}

function fail(code: ErrorCode, message: string): never {
  throw new ParleyError(code, message);
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkRevision(value: unknown, what: string): number {
  if (value === undefined || value === null) return NO_REVISION_CHECK;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < NO_REVISION_CHECK) {
    fail(ErrorCode.INVALID_ARGUMENT, `${what}: an integer ≥ -1`);
  }
  return value;
}

function checkFlag(value: unknown, what: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') fail(ErrorCode.INVALID_ARGUMENT, `${what}: a boolean`);
  return value;
}

const OPS: ReadonlySet<unknown> = new Set(Object.values(MetadataOp));

/**
 * Checks a write request on its own, before any state is read: the op, every item (key rule, value
 * a string within the value limit, revision ≥ -1), keys unique in the call (DUPLICATE_KEY), the
 * call within the per-call count and bytes (SIZE_OVERFLOW), and the options.
 */
export function parseChange(
  req: { op?: unknown; items?: unknown; majorRevision?: unknown; recordTs?: unknown; recordUserId?: unknown },
  author: Uid,
  limits: MetadataLimits,
): MetadataChange {
  const op = req.op;
  if (!OPS.has(op)) fail(ErrorCode.INVALID_ARGUMENT, 'op: set, add, update, delete or clear');
  const majorRevision = checkRevision(req.majorRevision, 'majorRevision');
  const recordTs = checkFlag(req.recordTs, 'recordTs');
  const recordUserId = checkFlag(req.recordUserId, 'recordUserId');
  const base = { op: op as MetadataOp, majorRevision, recordTs, recordUserId, author };
  if (op === MetadataOp.CLEAR) return { ...base, items: [] };
  const raw = req.items ?? [];
  if (!Array.isArray(raw)) fail(ErrorCode.INVALID_ARGUMENT, 'items: a list of {key, value?, revision?}');
  if (raw.length === 0 && op !== MetadataOp.SET) fail(ErrorCode.INVALID_ARGUMENT, 'items: at least one');
  if (raw.length > limits.itemsPerCall) fail(ErrorCode.SIZE_OVERFLOW, `items: at most ${limits.itemsPerCall} per call`);
  const items: ChangeItem[] = [];
  const keys = new Set<string>();
  let bytes = 0;
  for (const [i, entry] of raw.entries()) {
    if (!isPlainObject(entry)) fail(ErrorCode.INVALID_ARGUMENT, `items[${i}]: an object {key, value?, revision?}`);
    const { key, value } = entry;
    if (!isMetadataKey(key, limits.keyMaxBytes)) {
      fail(ErrorCode.INVALID_ARGUMENT, `items[${i}].key: 1–${limits.keyMaxBytes} characters of the uid charset without "_", not "null"`);
    }
    if (keys.has(key)) fail(ErrorCode.DUPLICATE_KEY, `items: the key ${key} is named twice`);
    keys.add(key);
    const revision = checkRevision(entry['revision'], `items[${i}].revision`);
    if (value !== undefined && value !== null && typeof value !== 'string') fail(ErrorCode.INVALID_ARGUMENT, `items[${i}].value: a string`);
    const text = op === MetadataOp.DELETE ? '' : ((value as string | null | undefined) ?? '');
    if (byteLength(text) > limits.valueMaxBytes) fail(ErrorCode.SIZE_OVERFLOW, `items[${i}].value: over ${limits.valueMaxBytes} bytes`);
    bytes += byteLength(key) + byteLength(text);
    items.push({ key, value: text, revision });
  }
  if (bytes > limits.maxBytes) fail(ErrorCode.SIZE_OVERFLOW, `items: more than ${limits.maxBytes} bytes of keys and values in one call`);
  return { ...base, items };
}

/**
 * What `change` does to `current`, or the typed error that refuses it: OUTDATED_REVISION when the
 * set's majorRevision or a named item's revision (0 for a key that does not exist) is not the one
 * given; DUPLICATE_KEY for an add of an existing key; KEY_NOT_FOUND for an update of a missing
 * one; SIZE_OVERFLOW when the resulting set would exceed the limits (a shrinking write always passes).
 */
export function planWrite(current: MetadataState, change: MetadataChange, limits: MetadataLimits): MetadataPlan {
  if (change.majorRevision !== NO_REVISION_CHECK && change.majorRevision !== current.majorRevision) {
    fail(ErrorCode.OUTDATED_REVISION, `majorRevision ${change.majorRevision} is outdated (now ${current.majorRevision})`);
  }
  for (const item of change.items) {
    const now = current.items.get(item.key)?.revision ?? 0;
    if (item.revision !== NO_REVISION_CHECK && item.revision !== now) {
      fail(ErrorCode.OUTDATED_REVISION, `revision ${item.revision} of ${item.key} is outdated (now ${now})`);
    }
  }
  switch (change.op) {
    case MetadataOp.SET:
      return checked(current, { upserts: change.items, deletes: [], replace: true }, limits);
    case MetadataOp.ADD:
      for (const item of change.items) if (current.items.has(item.key)) fail(ErrorCode.DUPLICATE_KEY, `${item.key} exists already`);
      return checked(current, { upserts: change.items, deletes: [], replace: false }, limits);
    case MetadataOp.UPDATE:
      for (const item of change.items) if (!current.items.has(item.key)) fail(ErrorCode.KEY_NOT_FOUND, `${item.key} does not exist`);
      return checked(current, { upserts: change.items, deletes: [], replace: false }, limits);
    case MetadataOp.DELETE:
      return { upserts: [], deletes: change.items.map((i) => i.key), replace: false };
    case MetadataOp.CLEAR:
      return { upserts: [], deletes: [], replace: true };
  }
}

/** The plan, when the set it leaves is within the limits. */
function checked(current: MetadataState, plan: MetadataPlan, limits: MetadataLimits): MetadataPlan {
  const values = new Map<string, string>(plan.replace ? [] : [...current.items].map(([k, item]) => [k, item.value]));
  for (const item of plan.upserts) values.set(item.key, item.value);
  if (values.size > limits.maxItems) fail(ErrorCode.SIZE_OVERFLOW, `the metadata: more than ${limits.maxItems} items`);
  let bytes = 0;
  for (const [k, v] of values) bytes += byteLength(k) + byteLength(v);
  if (bytes > limits.maxBytes) fail(ErrorCode.SIZE_OVERFLOW, `the metadata: more than ${limits.maxBytes} bytes of keys and values`);
  return plan;
}

/**
 * The set after a plan was written with `revision` at `nowMs`: items written get the revision, and
 * updateTs / authorUserId when the change asked to record them (else 0 / ''); others keep theirs.
 */
export function applyPlan(
  current: MetadataState,
  plan: MetadataPlan,
  change: Pick<MetadataChange, 'recordTs' | 'recordUserId' | 'author'>,
  revision: number,
  nowMs: number,
): MetadataData {
  const items = new Map<string, MetadataItemData>(plan.replace ? [] : current.items);
  for (const key of plan.deletes) items.delete(key);
  for (const { key, value } of plan.upserts) {
    items.set(key, { key, value, revision, updateTs: change.recordTs ? nowMs : 0, authorUserId: change.recordUserId ? change.author : '' });
  }
  return { majorRevision: revision, items: [...items.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

/**
 * What a write did, for the event record (the webhooks' metadata.user / metadata.channel): the items
 * it left with its revision and the keys it removed.
 */
export function changeDetail(current: MetadataState, after: MetadataData, change: Pick<MetadataChange, 'op' | 'author'>): MetadataChangedDetail {
  const kept = new Set(after.items.map((i) => i.key));
  return {
    op: change.op,
    majorRevision: after.majorRevision,
    author: change.author,
    items: after.items.filter((i) => i.revision === after.majorRevision),
    deleted: [...current.items.keys()].filter((k) => !kept.has(k)).sort(),
  };
}
