import { arrayHeader, createCodec } from './codec';

const codec = createCodec();

describe('arrayHeader', () => {
  it.each([0, 1, 15, 16, 0xffff, 0x10000])('heads an array of %i items that any decoder reads back', (n) => {
    const item = codec.encode(7);
    const header = arrayHeader(n);
    expect(header.length).toBe(n < 16 ? 1 : n <= 0xffff ? 3 : 5);
    const bytes = new Uint8Array(header.length + n * item.length);
    bytes.set(header, 0);
    for (let i = 0; i < n; i++) bytes.set(item, header.length + i * item.length);
    const decoded = codec.decode(bytes) as number[];
    expect(decoded).toHaveLength(n);
    expect(decoded.every((v) => v === 7)).toBe(true);
  });
});
