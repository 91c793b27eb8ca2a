import { Packr } from 'msgpackr';

/**
 * The MessagePack header of an array of `n` items (fixarray, array 16 or array 32): a message built
 * by hand from items encoded apart (a BATCH of frames, a route batch) starts with it.
 */
export function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  return n <= 0xffff ? Uint8Array.of(0xdc, n >> 8, n & 0xff) : Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/**
 * The one MessagePack configuration of the wire and of NATS payloads: plain standard MessagePack
 * (no msgpackr records/extensions), so any MessagePack implementation can speak it; binary stays
 * binary (bin 8/16/32), strings stay UTF-8.
 */
export function createCodec(): { encode(value: unknown): Uint8Array; decode(bytes: Uint8Array): unknown } {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });
  return {
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes),
  };
}

/** V8 copies a substring shorter than this; a longer one is a slice pointing into its parent string. */
const SLICED_MIN_LENGTH = 13;

/**
 * A string of its own, for a decoded value kept long after its message (a session's uid and app id,
 * a subscription's subject). A decoded string may be a slice of one string that holds every short
 * string of its message (msgpackr's native decoding bundles them) and keeps that whole string
 * alive: a session's uid kept its LOGIN frame's strings for the session's life. A rope (a template
 * literal of such strings) keeps its parts too. JSON's round trip makes a fresh flat string of any
 * string, lone surrogates included; join and slice may hand back the slice itself.
 */
export function ownString(s: string): string {
  return s.length < SLICED_MIN_LENGTH ? s : (JSON.parse(JSON.stringify(s)) as string);
}
