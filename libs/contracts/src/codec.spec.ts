import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { arrayHeader, createCodec, ownString } from './codec';

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

describe('ownString', () => {
  it('keeps every decoded string as it was, whatever its length', () => {
    const values = ['', 'a', 'twelve chars', 'thirteen char', 'user-with-a-long-name', '0123456789abcdef0123456789abcdef', 'ünïcødé-ユーザー-🙂'];
    const decoded = codec.decode(codec.encode({ values, token: 'x'.repeat(300) })) as { values: string[] };
    expect(decoded.values.map(ownString)).toEqual(values);
  });

  it('keeps any string of code units, a lone surrogate too (a UTF-8 round trip would not)', () => {
    const odd = 'a lone \ud800 surrogate and \udfff another';
    expect(ownString(odd)).toBe(odd);
  });

  it('gives a string that no longer points into its message: V8 reports a decoded uid as sliced, and ownString of it as not', () => {
    // V8's own view of the strings, from a child process with its natives syntax (%DebugPrint names the string's type).
    const script = `
      const { createCodec, ownString } = require(${JSON.stringify(join(__dirname, 'codec.ts'))});
      const codec = createCodec();
      const frame = codec.decode(codec.encode([1, 5, 2, { appId: '0123456789abcdef0123456789abcdef', uid: 'user-with-a-long-name', instanceId: 'instance-abcdefghijkl' }]));
      %DebugPrint(frame[3].uid);
      console.log('---');
      %DebugPrint(ownString(frame[3].uid));
    `;
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
    const [decoded, owned] = out.split('---');
    expect(decoded).toMatch(/SLICED_ONE_BYTE_STRING_TYPE/);
    expect(owned).toMatch(/user-with-a-long-name/);
    expect(owned).not.toMatch(/SLICED|CONS/);
  });

  it('flattens a rope into an equal string', () => {
    const [a, b] = codec.decode(codec.encode(['0123456789abcdef0123456789abcdef', 'user-with-a-long-name'])) as string[];
    expect(ownString(`${a}/${b}`)).toBe('0123456789abcdef0123456789abcdef/user-with-a-long-name');
  });
});
