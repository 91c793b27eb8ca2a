/**
 * A MessagePack writer for hostile tests: unlike msgpackr (which normalises what it is given), it
 * writes exactly what a test asks for — a float64 -0, a 64-bit integer past 2^53, lone surrogates
 * as their 3-byte (WTF-8) forms, maps with `__proto__` or non-string keys, verbatim bytes (broken
 * strings, extension types) anywhere inside a value. Plain JS values encode in the standard way.
 */

/** A number written as float64 even when it is an integer (e.g. -0, 1.0). */
export class F64 {
  constructor(readonly value: number) {}
}

/** Bytes written verbatim at this position (the caller vouches for them, or wants them broken). */
export class RawValue {
  constructor(
    readonly bytes: Uint8Array,
    readonly label = 'raw',
  ) {}
}

/** A map written entry by entry: any keys (also "__proto__", numbers, maps), in this order, duplicates kept. */
export class MapEntries {
  constructor(readonly entries: ReadonlyArray<readonly [unknown, unknown]>) {}
}

/** `depth` containers nested in one another around `inner`, written without recursion (3,000 deep is fine). */
export class Nested {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'map',
    readonly inner: unknown,
  ) {}
}

class Writer {
  private buf = Buffer.allocUnsafe(1024);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  u16(n: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(n, this.pos);
    this.pos += 2;
  }

  u32(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }

  f64(n: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(n, this.pos);
    this.pos += 8;
  }

  big(n: bigint, signed: boolean): void {
    this.ensure(8);
    if (signed) this.buf.writeBigInt64BE(n, this.pos);
    else this.buf.writeBigUInt64BE(n, this.pos);
    this.pos += 8;
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** UTF-16 → UTF-8, writing an unpaired surrogate as its own 3-byte sequence (what msgpackr's short-string writer does). */
export function wtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** A type byte followed by `n` as a big-endian unsigned integer of `size` bytes (1, 2 or 4). */
function typed(w: Writer, type: number, size: 1 | 2 | 4, n: number): void {
  w.byte(type);
  if (size === 1) w.byte(n & 0xff);
  else if (size === 2) w.u16(n & 0xffff);
  else w.u32(n >>> 0);
}

function writeInt(w: Writer, n: number): void {
  if (n >= 0 && n < 0x80) return w.byte(n);
  if (n < 0 && n >= -32) return w.byte(n & 0xff);
  if (n >= 0) {
    if (n < 0x100) return typed(w, 0xcc, 1, n);
    if (n < 0x10000) return typed(w, 0xcd, 2, n);
    if (n < 0x100000000) return typed(w, 0xce, 4, n);
    w.byte(0xcf);
    return w.big(BigInt(n), false);
  }
  if (n >= -0x80) return typed(w, 0xd0, 1, n);
  if (n >= -0x8000) return typed(w, 0xd1, 2, n);
  if (n >= -0x80000000) return typed(w, 0xd2, 4, n);
  w.byte(0xd3);
  return w.big(BigInt(n), true);
}

function header(w: Writer, n: number, fix: number, fixMax: number, m8: number | null, m16: number, m32: number): void {
  if (n <= fixMax) return w.byte(fix | n);
  if (m8 !== null && n < 0x100) return typed(w, m8, 1, n);
  if (n < 0x10000) return typed(w, m16, 2, n);
  return typed(w, m32, 4, n);
}

const MAP_A = Uint8Array.of(0x81, 0xa1, 0x61);

function write(w: Writer, v: unknown): void {
  if (v === null || v === undefined) return w.byte(0xc0);
  if (v === false) return w.byte(0xc2);
  if (v === true) return w.byte(0xc3);
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return writeInt(w, v === 0 ? 0 : v);
    w.byte(0xcb);
    return w.f64(v);
  }
  if (typeof v === 'bigint') {
    w.byte(v >= 0n ? 0xcf : 0xd3);
    return w.big(v, v < 0n);
  }
  if (typeof v === 'string') {
    const b = wtf8(v);
    header(w, b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
    return w.bytes(b);
  }
  if (v instanceof F64) {
    w.byte(0xcb);
    return w.f64(v.value);
  }
  if (v instanceof RawValue) return w.bytes(v.bytes);
  if (v instanceof Nested) {
    for (let i = 0; i < v.depth; i++) {
      if (v.kind === 'array') w.byte(0x91);
      else w.bytes(MAP_A); // {"a": …}
    }
    return write(w, v.inner);
  }
  if (v instanceof Uint8Array) {
    header(w, v.length, 0, -1, 0xc4, 0xc5, 0xc6);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    header(w, v.length, 0x90, 15, null, 0xdc, 0xdd);
    for (const x of v) write(w, x);
    return;
  }
  if (v instanceof MapEntries) {
    header(w, v.entries.length, 0x80, 15, null, 0xde, 0xdf);
    for (const [k, x] of v.entries) {
      write(w, k);
      write(w, x);
    }
    return;
  }
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const entries = Object.entries(v as object);
    header(w, entries.length, 0x80, 15, null, 0xde, 0xdf);
    for (const [k, x] of entries) {
      write(w, k);
      write(w, x);
    }
    return;
  }
  throw new Error(`cannot write ${Object.prototype.toString.call(v)} as MessagePack`);
}

/** The MessagePack bytes of `value`, exactly as described above. */
export function pack(value: unknown): Buffer {
  const w = new Writer();
  write(w, value);
  return w.result();
}

/** `depth` arrays nested in one another around `inner` ([[[inner]]] for depth 3). */
export function nestedArrays(depth: number, inner: unknown = 0): unknown {
  return new Nested(depth, 'array', inner);
}

/** `depth` maps nested in one another around `inner` ({a: {a: inner}} for depth 2). */
export function nestedMaps(depth: number, inner: unknown = 0): unknown {
  return new Nested(depth, 'map', inner);
}

/**
 * A chain of maps nested exactly `depth` deep (1 = one map) carrying about `bytes` bytes in all:
 * each level holds a padding string and the next level.
 */
export function deepPadded(depth: number, bytes: number): unknown {
  const pad = 'p'.repeat(Math.max(1, Math.floor(bytes / depth) - 8));
  let v: unknown = { pad };
  for (let i = 1; i < depth; i++) v = { pad, next: v };
  return v;
}
