import { Frame, MAX_CLIENT_DEPTH, Op } from '@parley/contracts';
import { requestSchemas } from '@parley/contracts/schemas';
import fc from 'fast-check';
import { HOSTILE_STRINGS, HOSTILE_VALUES } from './matrix';
import { F64, MapEntries, nestedArrays, pack } from './msgpack';

/**
 * Random client input for the property test: REQ frames (fresh or hostile ids, real or random ops,
 * random / op-shaped / valid args), BATCHes of them, other frame types, bare values, random bytes,
 * and valid-looking frames with one byte changed or cut short. Values mix fast-check's primitives
 * with the matrix's hostile values and nesting far past the decoder's bound.
 */

const ALL_OPS = Object.values(Op) as Op[];

/** Stands for "a new request id of the socket" until the input is sent. */
class Fresh {}
export const FRESH = new Fresh();

export type Input =
  { kind: 'value'; value: unknown } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'mutated'; value: unknown; at: number; byte: number; cut: boolean };

/** `validArgsOf(op)`: valid args of an op (called at generation time, so it may use the suite's context). */
export function hostileInput(validArgsOf: (op: Op) => unknown): fc.Arbitrary<Input> {
  const leaf = fc.oneof(
    fc.integer(),
    fc.integer({ min: -40, max: 70 }),
    fc.double().map((d) => new F64(d)),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...HOSTILE_STRINGS.map(([, s]) => s)),
    fc.uint8Array({ maxLength: 40 }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.constantFrom(...HOSTILE_VALUES.filter((h) => !/huge|60 KB|10,000/.test(h.label)).map((h) => h.make(['x']))),
  );
  const keys = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'k', 'text', 'm', 'to', 'id', 'ch', 'uids', 'attrs', 'raw'),
  );
  const { tree } = fc.letrec<{ tree: unknown; arr: unknown[]; obj: unknown }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('tree'), { maxLength: 5 }),
    obj: fc.array(fc.tuple(keys, tie('tree')), { maxLength: 5 }).map((e) => new MapEntries(e)),
  }));
  const deep = fc.integer({ min: MAX_CLIENT_DEPTH - 4, max: 3000 }).map((n) => nestedArrays(n));
  const value = fc.oneof({ weight: 6, arbitrary: tree }, { weight: 1, arbitrary: deep });
  /** An op with args meant for it: valid, valid with one field made random, or its field names with random values. */
  const opWithArgs = fc.constantFrom(...ALL_OPS).chain((op) => {
    const fields = Object.keys((requestSchemas[op].args as unknown as { shape: object }).shape);
    const field = fields.length ? fc.constantFrom(...fields) : keys;
    const valid = fc.constant(null).map(() => validArgsOf(op));
    const oneOff = fc
      .tuple(field, value, fc.constant(null))
      .map(([k, v]) => new MapEntries([...Object.entries((validArgsOf(op) ?? {}) as object).filter(([f]) => f !== k), [k, v]]));
    const shaped = fc.array(fc.tuple(field, value), { maxLength: fields.length + 1 }).map((e) => new MapEntries(e));
    return fc.tuple(fc.constant(op as unknown), fc.oneof(valid, oneOff, oneOff, shaped, value));
  });
  const anyOpAnyArgs = fc.tuple(fc.oneof(fc.constantFrom(...(ALL_OPS as unknown[])), leaf), value);
  const req = fc
    .record({
      id: fc.oneof({ weight: 5, arbitrary: fc.constant(FRESH as unknown) }, { weight: 1, arbitrary: leaf }),
      call: fc.oneof({ weight: 4, arbitrary: opWithArgs }, { weight: 1, arbitrary: anyOpAnyArgs }),
      // a traceparent and more: usually nothing
      tail: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(value, { minLength: 1, maxLength: 2 }) }),
      argsMissing: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map(({ id, call: [op, args], tail, argsMissing }) => (argsMissing && !tail.length ? [Frame.REQ, id, op] : [Frame.REQ, id, op, args, ...tail]));
  const frame = fc.oneof(
    { weight: 6, arbitrary: req },
    { weight: 2, arbitrary: fc.array(fc.oneof(req, req, value), { minLength: 0, maxLength: 8 }).map((fs) => [Frame.BATCH, ...fs]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(Frame.PING, Frame.ACK, Frame.PONG, Frame.HELLO, Frame.RES, Frame.EVT), value).map(([t, v]) => [t, v]) },
    { weight: 1, arbitrary: value },
  );
  const input: fc.Arbitrary<Input> = fc.oneof(
    { weight: 6, arbitrary: frame.map((value) => ({ kind: 'value' as const, value })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(req, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
        .map(([value, at, byte, cut]) => ({ kind: 'mutated' as const, value, at, byte, cut })),
    },
  );
  return input;
}

/** Replaces FRESH ids by new ids of the socket. */
export function materialize(v: unknown, nextId: () => number): unknown {
  if (!Array.isArray(v)) return v;
  if (v[0] === Frame.BATCH) return v.map((f, i) => (i === 0 ? f : materialize(f, nextId)));
  if (v[0] === Frame.REQ && v[1] === FRESH) return [v[0], nextId(), ...v.slice(2)];
  return v;
}

/** The bytes of an input, with FRESH ids taken from `nextId`. */
export function bytesOf(inp: Input, nextId: () => number): Uint8Array {
  if (inp.kind === 'bytes') return inp.bytes;
  const b = pack(materialize(inp.value, nextId));
  if (inp.kind === 'value') return b;
  const at = inp.at % Math.max(1, b.length);
  if (inp.cut) return b.subarray(0, at);
  const copy = Buffer.from(b);
  copy[at] = inp.byte;
  return copy;
}
