import { createHash } from 'node:crypto';
import { ByteReader, build006, crc32, decodeBase64Strict, parseAccessToken006, sign006 } from './access-token-006';

// Spec §12.3 worked example.
const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CERT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const T0 = 1_700_000_000;
const TOKEN_006 = '006a1b2c3d4e5f60718293a4b5c6d7e8f90IACdz6LcHYpZHoAoMyCSb2n/v8mv4ZEKZhvkKZPnpPRfYke8jicAAAAAEAD///9/gEJVZQEA6AMQ/1Nl';

// Deep imports have no typings; only the members used here are declared.
interface LegacyAccessToken {
  salt: number;
  ts: number;
  addPriviledge(id: number, ts: number): void;
  build(): string;
  fromString(token: string): boolean;
  signature: Buffer;
  crc_channel_name: number;
  crc_uid: number;
  messages: Record<string, number>;
}
type LegacyCtor = new (appId: string, cert: string, channel: string, uid: string | number) => LegacyAccessToken;
const { AccessToken } = require('agora-access-token/src/AccessToken') as { AccessToken: LegacyCtor };

describe('006 worked example (§12.3)', () => {
  it('decodes every field', () => {
    const t = parseAccessToken006(TOKEN_006);
    expect(t).not.toBeNull();
    expect(t!.appId).toBe(APP_ID);
    expect(t!.signature).toHaveLength(32);
    expect(t!.crcChannel).toBe(663665735);
    expect(t!.crcUid).toBe(0);
    expect(t!.message).toHaveLength(16);
    expect(t!.salt).toBe(2147483647);
    expect(t!.ts).toBe(1700086400);
    expect(t!.privileges).toEqual({ 1000: 1700003600 });
    // 60 content bytes: 2+32 sig, 4+4 crcs, 2+16 m.
    expect(decodeBase64Strict(TOKEN_006.slice(35))).toHaveLength(60);
  });

  it('signature matches the certificate, not another one', () => {
    const t = parseAccessToken006(TOKEN_006)!;
    expect(sign006(CERT, APP_ID, 'alice', '', t.message).equals(t.signature)).toBe(true);
    expect(sign006(CERT.replace('0f', '1f'), APP_ID, 'alice', '', t.message).equals(t.signature)).toBe(false);
  });

  it('build006 reproduces the exact token string (no compression involved)', () => {
    expect(build006(APP_ID, CERT, 'alice', T0 + 3600, { salt: 2147483647, ts: T0 + 86400 })).toBe(TOKEN_006);
  });

  it('the public agora-access-token builder with frozen clock/RNG gives the same token', () => {
    jest.useFakeTimers({ now: T0 * 1000 });
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      let token = '';
      // The library draws its salt once at module load, so load a fresh copy under the frozen RNG.
      jest.isolateModules(() => {
        const legacy = require('agora-access-token');
        token = legacy.RtmTokenBuilder.buildToken(APP_ID, CERT, 'alice', legacy.RtmRole.Rtm_User, T0 + 3600);
      });
      expect(token).toBe(TOKEN_006);
    } finally {
      random.mockRestore();
      jest.useRealTimers();
    }
  });
});

describe('build006 vs agora-access-token', () => {
  it.each(['alice', 'u-123_x', 'ünïcødé', ''])('same bytes for account %p', (account) => {
    const a = new AccessToken(APP_ID, CERT, account, '');
    a.salt = 123456789;
    a.ts = T0 + 86400;
    a.addPriviledge(1000, T0 + 60);
    expect(build006(APP_ID, CERT, account, T0 + 60, { salt: 123456789, ts: T0 + 86400 })).toBe(a.build());
  });

  it('agora-access-token parses build006 output to the same fields', () => {
    const token = build006(APP_ID, CERT, 'bob', 0, { salt: 42, ts: T0 });
    const ours = parseAccessToken006(token)!;
    expect(ours).toMatchObject({ appId: APP_ID, salt: 42, ts: T0, privileges: { 1000: 0 }, crcChannel: crc32('bob') });
    const lib = new AccessToken('', '', '', '');
    expect(lib.fromString(token)).toBe(true);
    expect(lib.salt).toBe(42);
    expect(lib.ts).toBe(T0);
    expect(lib.messages).toEqual({ 1000: 0 });
    expect(lib.crc_channel_name).toBe(crc32('bob'));
  });

  it('defaults: random salt, ts = now + 24 h', () => {
    const now = Math.floor(Date.now() / 1000);
    const t = parseAccessToken006(build006(APP_ID, CERT, 'x', now + 10))!;
    expect(t.ts).toBeGreaterThanOrEqual(now + 86400);
    expect(t.ts).toBeLessThanOrEqual(now + 86401);
  });

  it('rejects invalid builder arguments', () => {
    expect(() => build006('nothex', CERT, 'a', 0)).toThrow(TypeError);
    expect(() => build006(APP_ID, CERT, 'a', -1)).toThrow(RangeError);
    expect(() => build006(APP_ID, CERT, 'a', 2 ** 32)).toThrow(RangeError);
  });
});

describe('crc32', () => {
  it('is zlib CRC-32 of UTF-8 as uint32', () => {
    expect(crc32('alice')).toBe(663665735);
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926); // standard check value
    const crcLib = require('crc-32') as { str(s: string): number }; // what agora-access-token uses
    for (const s of ['ü', 'bob', '日本', 'a'.repeat(64)]) expect(crc32(s)).toBe(crcLib.str(s) >>> 0);
  });
});

describe('parseAccessToken006 on garbage', () => {
  const content = TOKEN_006.slice(35);
  const bytes = decodeBase64Strict(content)!;
  it.each<[string, unknown]>([
    ['empty', ''],
    ['prefix only', '006'],
    ['no content', '006' + APP_ID],
    ['bad base64 chars', '006' + APP_ID + '!!!!'],
    ['whitespace in base64', '006' + APP_ID + content.slice(0, 8) + ' ' + content.slice(8)],
    ['truncated content', '006' + APP_ID + content.slice(0, 40)],
    ['trailing bytes after m', '006' + APP_ID + Buffer.concat([bytes, Buffer.from([1, 2, 3])]).toString('base64')],
    ['short signature', '006' + APP_ID + Buffer.concat([Buffer.from([1, 0, 7]), bytes.subarray(34)]).toString('base64')],
    ['huge length prefix', '006' + APP_ID + Buffer.from([0xff, 0xff, 1, 2, 3]).toString('base64')],
    ['non-string', 12345],
    ['null', null],
    ['very long', '006' + 'A'.repeat(1 << 20)],
    ['random hash', '006' + createHash('sha512').update('x').digest('base64')],
  ])('%s → null', (_name, token) => {
    expect(parseAccessToken006(token)).toBeNull();
  });
});

describe('ByteReader', () => {
  it('throws on truncation instead of zero-filling', () => {
    const r = new ByteReader(Buffer.from([5, 0, 1, 2]));
    expect(() => r.bytes()).toThrow('truncated');
  });
});
