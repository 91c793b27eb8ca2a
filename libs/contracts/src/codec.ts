import { Packr } from 'msgpackr';

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
