import { createFrameDecoder, ErrorCode, Frame, MAX_CLIENT_DEPTH, MediaType, MessageKind, Op } from '@parley/contracts';
import { parseRequestArgs, requestSchemas } from '@parley/contracts/schemas';
import { MapEntries, Nested, nestedArrays, nestedMaps, F64, RawValue } from './msgpack';

/**
 * The hostile-input matrix: values that are wrong for a field in every way a client can make them
 * (types, sizes, numbers, unicode, nesting, prototype keys), the fields of every op (read from the
 * request schemas, so a new field is attacked without editing this file), a valid baseline per op
 * to put them in, and a model of what the gateway must answer to a frame.
 */

export type Path = ReadonlyArray<string | number>;

export interface HostileValue {
  label: string;
  /** The value for a field at `path` (nesting is sized so the frame lands at, or just past, the decoder's bound). */
  make(path: Path): unknown;
}

const KB = 1024;
const v = (label: string, value: unknown): HostileValue => ({ label, make: () => value });

/** Levels a value at `path` may nest before the frame passes MAX_CLIENT_DEPTH: frame 1, args 2, the value's own container 2 + path.length. */
export function nestingRoom(path: Path): number {
  return MAX_CLIENT_DEPTH - 1 - path.length;
}

/** Strings a field may be given (also used as map keys and list elements). */
export const HOSTILE_STRINGS: ReadonlyArray<[string, string]> = [
  ['empty string', ''],
  ['NUL', '\u0000'],
  ['NUL inside', 'a\u0000b'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate + text', '\udfffabc'],
  ['RTL/format marks', '\u202e\u200f\u200babc\u2066'],
  ['4-byte emoji', '😀🧪'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['x.constructor (prototype lookup by extension)', 'x.constructor'],
  ['x.__proto__', 'x.__proto__'],
  ['control + newline', 'a\n\r\t\u0007'],
  ['129 chars', 'x'.repeat(129)],
  ['256 chars (the schema bound of ids)', 'z'.repeat(256)],
  ['257 chars', 'y'.repeat(257)],
];

/** The ~30 hostile values of the matrix. */
export const HOSTILE_VALUES: ReadonlyArray<HostileValue> = [
  v('number', 12345),
  v('string', 'hostile'),
  v('bool true', true),
  v('bool false', false),
  v('null', null),
  v('array', ['a', 1, null]),
  v('map', { a: 1, b: 'x' }),
  v('bytes', Uint8Array.from([0, 1, 2, 255])),
  v('huge string 60 KB', 'h'.repeat(60 * KB)),
  v(
    'huge array (10,001 items)',
    Array.from({ length: 10_001 }, () => 'x'),
  ),
  v(
    'array of 10,000 items (the schema bound of lists)',
    Array.from({ length: 10_000 }, (_, i) => `u${i % 100}`),
  ),
  v('-1', -1),
  v('NaN', new F64(NaN)),
  v('Infinity', new F64(Infinity)),
  v('-Infinity', new F64(-Infinity)),
  v('-0 (float64)', new F64(-0)),
  v('2^53+1 (uint64)', 2n ** 53n + 1n),
  v('2^64-1 (uint64)', 2n ** 64n - 1n),
  v('-2^63 (int64)', -(2n ** 63n)),
  v('float 1.5', 1.5),
  v('float 3.0 (float64 integer)', new F64(3)),
  ...HOSTILE_STRINGS.map(([label, s]) => v(label, s)),
  v('invalid UTF-8 str bytes', new RawValue(Uint8Array.from([0xa4, 0xff, 0xfe, 0xc0, 0x80]), 'str ff fe c0 80')),
  v('str claiming more bytes than sent', new RawValue(Uint8Array.from([0xd9, 0x05, 0x61]), 'truncated str')),
  { label: 'nested arrays at the bound', make: (path) => nestedArrays(nestingRoom(path)) },
  { label: 'nested maps at the bound', make: (path) => nestedMaps(nestingRoom(path)) },
  { label: 'nested one past the bound', make: (path) => nestedArrays(nestingRoom(path) + 1) },
  v(
    'map with __proto__/constructor keys',
    new MapEntries([
      ['__proto__', { polluted: 'yes' }],
      ['constructor', { prototype: { polluted: 'yes' } }],
      ['toString', 'x'],
    ]),
  ),
  v(
    'map with integer and nil keys',
    new MapEntries([
      [1, 'one'],
      [null, 'nil'],
      [-5, 'neg'],
    ]),
  ),
  v('map with a map key', new MapEntries([[{ k: 1 }, 'v']])),
  v(
    'map with duplicate keys',
    new MapEntries([
      ['a', '1'],
      ['a', 2],
    ]),
  ),
  v('extension type (timestamp)', new RawValue(Uint8Array.from([0xd6, 0xff, 0, 0, 0, 1]), 'fixext4 -1')),
  v('reserved byte 0xc1', new RawValue(Uint8Array.from([0xc1]), '0xc1')),
];

export interface WholeArgsAttack {
  label: string;
  /** The args given the op's baseline; NO_ARGS (from the client) leaves them out. */
  make(baseline: unknown): unknown;
}

/** Attacks on the args value itself. */
export function wholeArgsAttacks(noArgs: symbol): WholeArgsAttack[] {
  const plain = (b: unknown) => (b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {});
  return [
    { label: 'args missing', make: () => noArgs },
    { label: 'args nil', make: () => null },
    { label: 'args a number', make: () => 7 },
    { label: 'args a string', make: () => 'args' },
    { label: 'args a bool', make: () => true },
    { label: 'args an array', make: (b) => [b] },
    { label: 'args bytes', make: () => Uint8Array.from([1, 2, 3]) },
    { label: 'args a 60 KB string', make: () => 'A'.repeat(60 * KB) },
    { label: 'args NaN', make: () => new F64(NaN) },
    { label: 'args + unknown field of 30 KB', make: (b) => ({ ...plain(b), zzUnknown: 'u'.repeat(30 * KB) }) },
    { label: 'args + unknown field nested to the bound', make: (b) => ({ ...plain(b), zzDeep: nestedMaps(MAX_CLIENT_DEPTH - 2) }) },
    { label: 'args + unknown field nested past the bound', make: (b) => ({ ...plain(b), zzDeep: nestedMaps(MAX_CLIENT_DEPTH - 1) }) },
    {
      label: 'args with __proto__/constructor keys',
      make: (b) => new MapEntries([...Object.entries(plain(b)), ['__proto__', { isAdmin: true }], ['constructor', { prototype: { x: 1 } }]]),
    },
    { label: 'args an empty map', make: () => ({}) },
  ];
}

/** Ids and objects the baselines point at (set up by the suite). */
export interface MatrixContext {
  appId: string;
  /** A uid that is never online. */
  nobody: string;
  /** A channel the op's session joined. */
  ch: string;
  /** A media that exists (for IMAGE/FILE messages, MEDIA_INFO, MEDIA_READ). */
  mediaId: string;
  /** An upload begun by the op's session. */
  uploadId: string;
  /** Unique per call: LOGIN baselines use it for uid and instanceId. */
  unique(): string;
}

const bytes = Uint8Array.from([1, 2, 3]);
const messages = (ctx: MatrixContext) => [
  { k: MessageKind.TEXT, text: 'hello' },
  { k: MessageKind.RAW, raw: bytes, desc: 'raw' },
  { k: MessageKind.IMAGE, desc: 'img', media: { id: ctx.mediaId, size: 3, name: 'a.png', thumb: bytes, w: 1, h: 1, tw: 1, th: 1 } },
  { k: MessageKind.FILE, desc: 'file', media: { id: ctx.mediaId, size: 3, name: 'a.txt' } },
];

/** Valid args per op (several for the ops that carry a message: one per kind). */
export function baselines(op: Op, ctx: MatrixContext): unknown[] {
  switch (op) {
    case Op.LOGIN: {
      const u = ctx.unique();
      return [{ appId: ctx.appId, uid: `lg-${u}`, instanceId: `inst-${u}`, reconnect: false, sdk: 'parley/hostile' }];
    }
    case Op.LOGOUT:
    case Op.CLEAR_USER_ATTRS:
      return [{}];
    case Op.RENEW_TOKEN:
      return [{ token: 'not-a-token' }];
    case Op.QUERY_ONLINE:
    case Op.SUBSCRIBE_STATUS:
    case Op.UNSUBSCRIBE_STATUS:
      return [{ uids: [ctx.nobody] }];
    case Op.SEND_PEER:
      return messages(ctx).map((m, i) => ({ to: ctx.nobody, id: `m-${i}`, m, offline: false }));
    case Op.JOIN:
      return [{ ch: ctx.ch }];
    case Op.LEAVE:
    case Op.GET_MEMBERS:
      return [{ ch: ctx.ch }];
    case Op.SEND_CHANNEL:
      return messages(ctx).map((m, i) => ({ ch: ctx.ch, id: `c-${i}`, m }));
    case Op.MEMBER_COUNT:
      return [{ chs: [ctx.ch] }];
    case Op.SET_USER_ATTRS:
    case Op.ADD_USER_ATTRS:
      return [{ attrs: { a: '1' } }];
    case Op.DELETE_USER_ATTRS:
      return [{ keys: ['a'] }];
    case Op.GET_USER_ATTRS:
      return [{ uid: ctx.nobody, keys: ['a'] }];
    case Op.SET_CHANNEL_ATTRS:
    case Op.ADD_CHANNEL_ATTRS:
      return [{ ch: ctx.ch, attrs: { a: '1' }, notify: false }];
    case Op.DELETE_CHANNEL_ATTRS:
      return [{ ch: ctx.ch, keys: ['a'], notify: false }];
    case Op.CLEAR_CHANNEL_ATTRS:
      return [{ ch: ctx.ch, notify: false }];
    case Op.GET_CHANNEL_ATTRS:
      return [{ ch: ctx.ch, keys: ['a'] }];
    case Op.QUERY_SUBSCRIBED:
      return [{ option: 'ONLINE_STATUS' }];
    case Op.INVITE:
      return [{ id: 'inv-1', callee: ctx.nobody, content: 'call me', ch: ctx.ch }];
    case Op.INVITE_CANCEL:
      return [{ id: 'inv-1' }];
    case Op.INVITE_ACCEPT:
    case Op.INVITE_REFUSE:
      return [{ id: 'inv-x', caller: ctx.nobody, response: 'ok' }];
    case Op.MEDIA_UPLOAD_BEGIN:
      return [{ size: 3, name: 'a.txt', type: MediaType.FILE }];
    case Op.MEDIA_UPLOAD_CHUNK:
      return [{ uploadId: ctx.uploadId, seq: 0, data: bytes }];
    case Op.MEDIA_UPLOAD_END:
    case Op.MEDIA_CANCEL:
      return [{ uploadId: ctx.uploadId }];
    case Op.MEDIA_INFO:
      return [{ mediaId: ctx.mediaId }];
    case Op.MEDIA_READ:
      return [{ mediaId: ctx.mediaId, offset: 0, length: 3 }];
    case Op.SET_USER_METADATA:
    case Op.ADD_USER_METADATA:
    case Op.UPDATE_USER_METADATA:
    case Op.DELETE_USER_METADATA:
      return [{ items: [{ key: 'k', value: 'v', revision: -1 }], majorRevision: -1, recordTs: false, recordUserId: false }];
    case Op.CLEAR_USER_METADATA:
      return [{ majorRevision: -1, recordTs: false, recordUserId: false }];
    case Op.GET_USER_METADATA:
      return [{ uid: ctx.nobody }];
    case Op.SUBSCRIBE_USER_METADATA:
    case Op.UNSUBSCRIBE_USER_METADATA:
      return [{ uids: [ctx.nobody] }];
    case Op.SET_CHANNEL_METADATA:
    case Op.ADD_CHANNEL_METADATA:
    case Op.UPDATE_CHANNEL_METADATA:
    case Op.DELETE_CHANNEL_METADATA:
      return [{ ch: ctx.ch, items: [{ key: 'k', value: 'v', revision: -1 }], majorRevision: -1, recordTs: false, recordUserId: false }];
    case Op.CLEAR_CHANNEL_METADATA:
      return [{ ch: ctx.ch, majorRevision: -1, recordTs: false, recordUserId: false }];
    case Op.GET_CHANNEL_METADATA:
      return [{ ch: ctx.ch }];
    case Op.GET_CHANNEL_HISTORY:
      return [{ ch: ctx.ch, limit: 5 }];
    case Op.GET_PEER_HISTORY:
      return [{ peer: ctx.nobody, limit: 5 }];
  }
}

interface ZodLike {
  def: { type: string; discriminator?: string; element?: ZodLike; values?: unknown[] };
  shape?: Record<string, ZodLike>;
  options?: ZodLike[];
  unwrap?: () => ZodLike;
}

export interface FieldTarget {
  path: Path;
  /** Index of the baseline the path belongs to (the message kind's, for paths inside a message). */
  baseline: number;
}

/**
 * Every field of an op's args, from its schema: the keys of each object (optional ones too), one
 * element of each list, one value of each record, and the fields of each variant of a message.
 */
export function fieldTargets(op: Op, bases: unknown[]): FieldTarget[] {
  const out: FieldTarget[] = [];
  const seen = new Set<string>();
  const walk = (schema: ZodLike, value: unknown, path: Path, variant: boolean, baseline: number) => {
    const type = schema.def.type;
    if (type === 'optional' || type === 'nullable' || type === 'default') return walk(schema.unwrap!(), value, path, variant, baseline);
    const add = (p: Path, inner: ZodLike, innerValue: unknown, innerVariant: boolean) => {
      const key = `${innerVariant ? baseline : '*'}:${JSON.stringify(p)}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ path: p, baseline });
      }
      walk(inner, innerValue, p, innerVariant, baseline);
    };
    const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    if (type === 'object') {
      for (const [k, inner] of Object.entries(schema.shape!)) add([...path, k], inner, obj?.[k], variant);
    } else if (type === 'union' && schema.def.discriminator) {
      const d = schema.def.discriminator;
      const option = schema.options!.find((o) => o.shape![d]!.def.values?.includes(obj?.[d]));
      if (option) walk(option, value, path, true, baseline);
    } else if (type === 'record') {
      add([...path, 'a'], (schema.def as unknown as { valueType: ZodLike }).valueType, obj?.['a'], variant);
    } else if (type === 'array') {
      add([...path, 0], schema.def.element!, Array.isArray(value) ? value[0] : undefined, variant);
    }
  };
  bases.forEach((b, i) => walk(requestSchemas[op].args as unknown as ZodLike, b, [], false, i));
  return out;
}

/** A copy of `base` with `value` at `path` (missing containers created). */
export function setAt(base: unknown, path: Path, value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(base) ? [...(base as unknown[])] : [];
    arr[head] = setAt(arr[head], rest, value);
    return arr;
  }
  const obj = base && typeof base === 'object' && !Array.isArray(base) && !(base instanceof Uint8Array) ? { ...(base as object) } : {};
  (obj as Record<string, unknown>)[head!] = setAt((obj as Record<string, unknown>)[head!], rest, value);
  return obj;
}

// ── what the gateway must answer ─────────────────────────────────────────────

const decoder = createFrameDecoder();
const ERROR_CODES = new Set<number>(Object.values(ErrorCode));

export interface ExpectedAnswer {
  id: number;
  op: unknown;
  /** The exact code when the gateway decides before any handler runs; undefined: a handler decides (any typed code, or 0). */
  code?: number;
}

/**
 * The answers a client frame must get (docs/protocol.md §2–3): one per REQ with a positive safe
 * integer id inside a frame the bounded decoder takes (alone or in a BATCH); none for anything else.
 * `state.authenticated` follows LOGOUTs inside a batch (their handler ends the session at once).
 */
export function expectedAnswers(bytes: Uint8Array, state: { authenticated: boolean }): ExpectedAnswer[] {
  const frame = decoder.decode(bytes);
  if (frame === undefined) {
    // Refused (malformed, extensions, too deep): answered INVALID_ARGUMENT when it starts like a request.
    const id = refusedRequestId(bytes);
    return id > 0 ? [{ id, op: undefined, code: ErrorCode.INVALID_ARGUMENT }] : [];
  }
  if (!Array.isArray(frame)) return [];
  const frames = frame[0] === Frame.BATCH ? frame.slice(1).filter(Array.isArray) : [frame];
  const out: ExpectedAnswer[] = [];
  for (const f of frames as unknown[][]) {
    if (f[0] !== Frame.REQ) continue;
    const [, id, op, args] = f;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) continue;
    if (typeof op !== 'number' || !Object.prototype.hasOwnProperty.call(requestSchemas, op)) {
      out.push({ id, op, code: ErrorCode.UNSUPPORTED_OP });
      continue;
    }
    if (!state.authenticated && op !== Op.LOGIN) {
      out.push({ id, op, code: ErrorCode.NOT_LOGGED_IN });
      continue;
    }
    const parsed = parseRequestArgs(op as Op, args);
    if (!parsed.ok) {
      out.push({ id, op, code: parsed.code });
      continue;
    }
    if (op === Op.LOGIN && state.authenticated) out.push({ id, op, code: ErrorCode.ALREADY_LOGIN });
    else out.push({ id, op });
    if (op === Op.LOGOUT) state.authenticated = false;
  }
  return out;
}

/**
 * The id of a refused frame that starts like a request (docs/protocol.md §2): a 4- or 5-element
 * array (fix or array16 header) whose first element is REQ and whose second is a positive integer
 * in a MessagePack int form up to uint32; 0 otherwise.
 */
export function refusedRequestId(b: Uint8Array): number {
  let pos: number;
  if (b[0] === 0x94 || b[0] === 0x95) pos = 1;
  else if (b[0] === 0xdc && b.length > 3) pos = 3;
  else return 0;
  if (b[pos] !== Frame.REQ) return 0;
  const t = b[pos + 1];
  const view = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (t === undefined) return 0;
  if (t >= 0x01 && t <= 0x7f) return t;
  if (t === 0xcc && pos + 2 < b.length) return view.readUInt8(pos + 2);
  if (t === 0xcd && pos + 3 < b.length) return view.readUInt16BE(pos + 2);
  if (t === 0xce && pos + 5 < b.length) return view.readUInt32BE(pos + 2);
  return 0;
}

/** A code the protocol defines, other than UNKNOWN. */
export function isTypedCode(code: unknown): code is number {
  return typeof code === 'number' && ERROR_CODES.has(code) && code !== ErrorCode.UNKNOWN;
}

/** Short printable form of a value for failure reports. */
export function describe(value: unknown): string {
  if (value instanceof RawValue) return `<${value.label}>`;
  if (value instanceof Nested) return `${value.kind}s nested ${value.depth} deep`;
  if (value instanceof F64) return `f64(${Object.is(value.value, -0) ? '-0' : value.value})`;
  if (value instanceof MapEntries) return `map(${value.entries.map(([k]) => JSON.stringify(k)).join(',')})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `bin(${value.length})`;
  let s: string;
  try {
    s = JSON.stringify(value, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `bin(${x.length})` : x));
  } catch {
    s = String(value);
  }
  return s.length > 120 ? `${s.slice(0, 100)}…(${s.length} chars)` : s;
}
