import { Packr } from 'msgpackr';

/**
 * The one MessagePack configuration of the wire and of NATS payloads: plain standard MessagePack
 * (no msgpackr records/extensions), so any MessagePack implementation can speak it; binary stays
 * binary (bin 8/16/32), strings stay UTF-8.
 */
/**
 * The MessagePack header of an array of `n` items (fixarray, array 16 or array 32): a message built
 * by hand from items encoded apart (a BATCH of frames, a route batch) starts with it.
 */
export function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  return n <= 0xffff ? Uint8Array.of(0xdc, n >> 8, n & 0xff) : Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export function createCodec(): { encode(value: unknown): Uint8Array; decode(bytes: Uint8Array): unknown } {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });
  return {
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes),
  };
}
