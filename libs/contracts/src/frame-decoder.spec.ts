import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { createCodec } from './codec';
import { createFrameDecoder, MAX_CLIENT_DEPTH, peekRequestId, scan, Scan, scanMessagePack } from './frame-decoder';

const codec = createCodec();
const sut = createFrameDecoder();

/** A value nested `depth` arrays deep. */
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('client frame decoder', () => {
  it('decodes plain protocol frames exactly as the codec does', () => {
    const frames = [
      [2, 1, 10, { to: 'bob', id: 'm1', m: { k: 1, text: 'hi ✓' } }],
      [0, [6, 1_700_000_000_000], [5, 3], [2, 7, 20, { ch: 'c', since: 0, seen: ['a', 'b'] }]],
      [2, 9, 10, { to: 'bob', id: 'm2', m: { k: 2, raw: new Uint8Array([0, 1, 255]) } }],
      [6, -1.5],
    ];
    for (const f of frames) expect(sut.decode(codec.encode(f))).toEqual(codec.decode(codec.encode(f)));
  });

  it('refuses a cyclic msgpackr structured-clone reference (14 bytes)', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const bytes = new Packr({ structuredClone: true }).pack([6, cyclic]);
    expect(bytes.length).toBeLessThan(40);
    expect(sut.decode(bytes)).toBeUndefined();
  });

  it('refuses nesting deeper than the bound and accepts it at the bound', () => {
    expect(sut.decode(codec.encode(nested(MAX_CLIENT_DEPTH)))).toBeDefined();
    expect(sut.decode(codec.encode(nested(MAX_CLIENT_DEPTH + 1)))).toBeUndefined();
    expect(sut.decode(new Uint8Array(3_000).fill(0x91))).toBeUndefined(); // [[[…]]] 3,000 deep, truncated
    const deep = new Uint8Array(60_001).fill(0x91);
    deep[60_000] = 0x01;
    expect(sut.decode(deep)).toBeUndefined();
  });

  it('keeps no state from one scan to the next (its per-depth slots are shared) and takes a deeper bound', () => {
    const map = codec.encode({ a: [1, { b: 2 }], c: 'x' });
    expect(scan(codec.encode(nested(MAX_CLIENT_DEPTH + 5)))).toBe(Scan.TOO_DEEP); // stops with slots filled
    expect(scan(map)).toBe(Scan.OK);
    expect(scan(new Uint8Array(8).fill(0x81))).toBe(Scan.MALFORMED); // maps open, truncated
    expect(scan(codec.encode([[1, 2], 3]))).toBe(Scan.OK);
    expect(scan(codec.encode(nested(40)), 64)).toBe(Scan.OK); // grows its slots
    expect(scan(codec.encode(nested(40)))).toBe(Scan.TOO_DEEP);
    expect(scan(map)).toBe(Scan.OK);
  });

  it('tells a too-deep frame from a malformed one, and finds the id of a refused request', () => {
    const deepReq = codec.encode([2, 300, 10, { to: 'b', x: nested(40) }]);
    expect(scan(deepReq)).toBe(Scan.TOO_DEEP);
    expect(peekRequestId(deepReq, 2)).toBe(300);
    expect(peekRequestId(codec.encode([2, 7, 10, {}]), 2)).toBe(7);
    expect(peekRequestId(codec.encode([2, 70_000, 10, {}]), 2)).toBe(70_000);
    expect(peekRequestId(codec.encode([6, 7]), 2)).toBe(0);
    expect(peekRequestId(codec.encode([2, -1, 10, {}]), 2)).toBe(0);
    expect(peekRequestId(Uint8Array.of(0x94, 0x02), 2)).toBe(0);
  });

  it('refuses a map key "__proto__" at any depth (fixstr and str8), but not as a value or an array item', () => {
    const protoKey = (v: unknown) => {
      // {"__proto__": v} as the wire would carry it (object literals cannot hold that key).
      const body = codec.encode(v);
      return Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), ...body]);
    };
    expect(sut.decode(protoKey(1))).toBeUndefined();
    // [REQ, 5, op 40, { attrs: { <key>: 1 } }]
    const frame = (key: string) =>
      Uint8Array.from([0x94, 0x02, 0x05, 0x28, 0x81, 0xa5, ...Buffer.from('attrs'), 0x81, 0xa0 | key.length, ...Buffer.from(key), 0x01]);
    expect(sut.decode(frame('__proto_x'))).toEqual([2, 5, 40, { attrs: { __proto_x: 1 } }]);
    expect(sut.decode(frame('__proto__'))).toBeUndefined();
    expect(scan(frame('__proto__'))).toBe(Scan.MALFORMED);
    expect(peekRequestId(frame('__proto__'), 2)).toBe(5);
    expect(scanMessagePack(Uint8Array.from([0x81, 0xd9, 0x09, ...Buffer.from('__proto__'), 0x01]))).toBe(false);
    expect(sut.decode(codec.encode({ k: '__proto__', l: ['__proto__'] }))).toEqual({ k: '__proto__', l: ['__proto__'] });
    expect(sut.decode(codec.encode({ __proto_: 1, ___proto__: 2 }))).toEqual({ __proto_: 1, ___proto__: 2 });
  });

  it.each([
    ['extension 0xd4', [0x92, 0x06, 0xd4, 0x01, 0x00]],
    ['timestamp ext 0xd6 -1', [0x92, 0x06, 0xd6, 0xff, 0, 0, 0, 0]],
    ['reserved 0xc1', [0xc1]],
    ['truncated str', [0xa5, 0x61]],
    ['trailing bytes', [0x90, 0x90]],
    ['array32 that claims 4 billion items', [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['map16 missing its values', [0x81, 0xa1, 0x61]],
    ['empty input', []],
  ])('refuses %s', (_name, bytes) => {
    expect(scanMessagePack(Uint8Array.from(bytes))).toBe(false);
    expect(sut.decode(Uint8Array.from(bytes))).toBeUndefined();
  });

  // Property: for any bytes, decode never throws; whatever it accepts is what msgpackr reads, and
  // can be encoded again (the PONG/RES path): no cyclic or over-deep value gets through.
  it('never throws and only returns re-encodable values (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const value = sut.decode(bytes);
        if (value !== undefined) expect(() => codec.encode(value)).not.toThrow();
      }),
      { numRuns: 3_000 },
    );
  });

  it('accepts every plain value within the depth bound and returns it unchanged (fast-check)', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.integer(),
        fc.double({ noNaN: true }),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 16 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
          tie('value'),
          { maxKeys: 4 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(plain, (value) => {
        const bytes = codec.encode(value);
        if (depthOf(value) > MAX_CLIENT_DEPTH) expect(sut.decode(bytes)).toBeUndefined();
        else expect(sut.decode(bytes)).toEqual(codec.decode(bytes));
      }),
      { numRuns: 1_000 },
    );
  });
});

function depthOf(v: unknown): number {
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((m, c) => Math.max(m, depthOf(c)), 0);
}
