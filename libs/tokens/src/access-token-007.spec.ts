import { deflateSync, inflateSync } from 'node:zlib';
import { RtmTokenBuilder, Rtm2Permissions } from 'agora-token';
import { SERVICE_RTM, SERVICE_RTM2, build007, parseAccessToken007, sign007, type AccessToken007 } from './access-token-007';

// Spec §12.3 worked example.
const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CERT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const T0 = 1_700_000_000;
const TOKEN_007 =
  '007eJxTYKh4etzfbc91gfZzxsZ5+y6WrPEtuFmnolO8XrPEb73yUwcFhkTDJKNk4xSTVNM0MwNzQwsjS+NEkyTTZLMU81SLNEsDho/BqQJ8DAwNH34xMTIwMTAyMDKA+KwMiTmZyakALhQe+g==';

// Deep imports have no typings; only the members used here are declared.
interface LibService {
  service_type(): number;
  add_privilege(id: number, expire: number): void;
  __privileges: Record<string, number>;
  __user_id?: string;
}
interface LibAccessToken2 {
  salt: number;
  issueTs: number;
  expire: number;
  appId: string;
  services: LibService[];
  add_service(s: LibService): void;
  build(): string;
  from_string(token: string): boolean;
  verifySignature(cert: string): boolean;
}
const lib = require('agora-token/src/AccessToken2') as {
  AccessToken2: new (appId?: string, cert?: string, issueTs?: number, expire?: number) => LibAccessToken2;
  ServiceRtm: (new (userId: string) => LibService) & { kPrivilegeLogin: number };
  Service: new (type: number) => LibService;
};

/** The fields that matter, as our parser sees them. */
function fields(t: AccessToken007) {
  return { appId: t.appId, issueTs: t.issueTs, expire: t.expire, salt: t.salt, services: t.services };
}
/** Same fields, as agora-token's own decoder sees them. */
function libFields(token: string) {
  const t = new lib.AccessToken2();
  expect(t.from_string(token)).toBe(true);
  return {
    appId: t.appId.toString(),
    issueTs: t.issueTs,
    expire: t.expire,
    salt: t.salt,
    services: t.services.map((s) => ({
      type: s.service_type(),
      privileges: Object.fromEntries(Object.entries(s.__privileges).map(([k, v]) => [Number(k), v])),
      userId: s.__user_id?.toString(),
    })),
  };
}

describe('007 worked example (§12.3)', () => {
  it('decodes every field', () => {
    const t = parseAccessToken007(TOKEN_007)!;
    expect(t).not.toBeNull();
    expect(inflateSync(Buffer.from(TOKEN_007.slice(3), 'base64'))).toHaveLength(99);
    expect(t.signature).toHaveLength(32);
    expect(t.signingInfo).toHaveLength(99 - 34);
    expect(fields(t)).toEqual({
      appId: APP_ID,
      issueTs: 1700000000,
      expire: 3600,
      salt: 50000000,
      services: [{ type: SERVICE_RTM, privileges: { 1: 3600 }, userId: 'alice' }],
    });
    expect(t.unparsedServices).toBe(0);
    // Hex landmarks from the spec: "2000 78e5…" then "2000 6131…3930 00f15365 100e0000 80f0fa02 …".
    const hex = inflateSync(Buffer.from(TOKEN_007.slice(3), 'base64')).toString('hex');
    expect(hex.startsWith('200078e5')).toBe(true);
    expect(hex.slice(68)).toBe(
      '2000' +
        Buffer.from(APP_ID).toString('hex') +
        '00f15365' +
        '100e0000' +
        '80f0fa02' +
        '0100' +
        '0200' +
        '0100' +
        '0100' +
        '100e0000' +
        '0500' +
        '616c696365',
    );
  });

  it('signature matches the certificate, not another one', () => {
    const t = parseAccessToken007(TOKEN_007)!;
    expect(sign007(CERT, t.issueTs, t.salt, t.signingInfo).equals(t.signature)).toBe(true);
    expect(sign007(CERT.replace('0f', '1f'), t.issueTs, t.salt, t.signingInfo).equals(t.signature)).toBe(false);
  });

  it('build007 with the example issueTs/salt decodes to the same fields and signature', () => {
    const ours = parseAccessToken007(build007(APP_ID, CERT, 'alice', 3600, { issueTs: T0, salt: 50000000 }))!;
    const theirs = parseAccessToken007(TOKEN_007)!;
    expect(fields(ours)).toEqual(fields(theirs));
    expect(ours.signature.equals(theirs.signature)).toBe(true);
  });

  it('the public agora-token builder with frozen clock/RNG gives the same decoded token', () => {
    jest.useFakeTimers({ now: T0 * 1000 });
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const token = RtmTokenBuilder.buildToken(APP_ID, CERT, 'alice', 3600);
      expect(fields(parseAccessToken007(token)!)).toEqual(fields(parseAccessToken007(TOKEN_007)!));
    } finally {
      random.mockRestore();
      jest.useRealTimers();
    }
  });
});

describe('build007 vs agora-token', () => {
  it.each([
    ['alice', 3600, T0, 1],
    ['u-123_x', 60, T0 + 12345, 99999999],
    ['ünïcødé', 86400, 1, 777],
    ['', 0, T0, 5],
  ])('same decoded fields for uid %p', (uid, expire, issueTs, salt) => {
    const ref = new lib.AccessToken2(APP_ID, CERT, issueTs, expire);
    ref.salt = salt;
    const s = new lib.ServiceRtm(uid);
    s.add_privilege(lib.ServiceRtm.kPrivilegeLogin, expire);
    ref.add_service(s);
    const refToken = ref.build();
    const ours = build007(APP_ID, CERT, uid, expire, { issueTs, salt });
    expect(fields(parseAccessToken007(ours)!)).toEqual(fields(parseAccessToken007(refToken)!));
    // Cross-check with the library's own decoder and verifier.
    expect(libFields(ours)).toEqual(libFields(refToken));
    const parsed = new lib.AccessToken2();
    expect(parsed.from_string(ours)).toBe(true);
    expect(parsed.verifySignature(CERT)).toBe(true);
    expect(parsed.verifySignature(CERT.replace('0f', '1f'))).toBe(false);
  });

  it('defaults: issueTs = now, salt in 1..99 999 999', () => {
    const now = Math.floor(Date.now() / 1000);
    const t = parseAccessToken007(build007(APP_ID, CERT, 'x', 600))!;
    expect(t.issueTs - now).toBeGreaterThanOrEqual(0);
    expect(t.issueTs - now).toBeLessThanOrEqual(1);
    expect(t.salt).toBeGreaterThanOrEqual(1);
    expect(t.salt).toBeLessThanOrEqual(99999999);
  });

  it('rejects invalid builder arguments', () => {
    expect(() => build007(APP_ID, 'short', 'a', 60)).toThrow(TypeError);
    expect(() => build007(APP_ID, CERT, 'a', 2 ** 32)).toThrow(RangeError);
  });
});

describe('services', () => {
  it('parses past an RTM2 (type 8) service', () => {
    const perms = new Rtm2Permissions();
    perms.add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, ['a', 'b']);
    perms.add(Rtm2Permissions.kUsers, Rtm2Permissions.kWrite, ['c']);
    const t = parseAccessToken007(RtmTokenBuilder.buildTokenWithPermissions(APP_ID, CERT, 'alice', perms, 60))!;
    expect(t.services).toEqual([{ type: SERVICE_RTM2, privileges: { 1: 60 }, userId: 'alice' }]);
    expect(t.unparsedServices).toBe(0);
  });

  it('stops at an unknown service type but keeps the raw signed bytes', () => {
    const ref = new lib.AccessToken2(APP_ID, CERT, T0, 600);
    const rtm = new lib.ServiceRtm('alice');
    rtm.add_privilege(1, 600);
    ref.add_service(rtm);
    const unknown = new lib.Service(42);
    unknown.add_privilege(7, 1);
    ref.add_service(unknown);
    const t = parseAccessToken007(ref.build())!;
    expect(t.services).toEqual([{ type: SERVICE_RTM, privileges: { 1: 600 }, userId: 'alice' }]);
    expect(t.unparsedServices).toBe(1);
    expect(sign007(CERT, t.issueTs, t.salt, t.signingInfo).equals(t.signature)).toBe(true);
  });
});

describe('parseAccessToken007 on garbage', () => {
  const raw = inflateSync(Buffer.from(TOKEN_007.slice(3), 'base64'));
  const wrap = (b: Buffer) => '007' + deflateSync(b).toString('base64');
  it.each<[string, unknown]>([
    ['empty', ''],
    ['prefix only', '007'],
    ['not base64', '007not base64!'],
    ['base64 but not zlib', '007' + Buffer.from('hello world, no zlib here').toString('base64')],
    ['truncated base64', TOKEN_007.slice(0, 60)],
    ['truncated zlib stream', TOKEN_007.slice(0, 63)],
    ['truncated inflated content', wrap(raw.subarray(0, 80))],
    ['truncated service', wrap(raw.subarray(0, raw.length - 1))],
    ['empty inflated content', wrap(Buffer.alloc(0))],
    ['signature of 31 bytes', wrap(Buffer.concat([Buffer.from([31, 0]), raw.subarray(2, 33), raw.subarray(34)]))],
    ['huge length prefix', wrap(Buffer.from([0xff, 0xff, 1, 2, 3]))],
    ['huge service count', wrap(Buffer.concat([raw.subarray(0, 34 + 46), Buffer.from([0xff, 0xff])]))],
    ['zlib bomb', wrap(Buffer.alloc(8 * 1024 * 1024))],
    ['invalid utf-8 app id', wrap(Buffer.concat([raw.subarray(0, 36), Buffer.from([0xc3, 0x28]), raw.subarray(38)]))],
    ['very long', '007' + 'A'.repeat(1 << 20)],
    ['non-string', { toString: () => TOKEN_007 }],
    ['undefined', undefined],
  ])('%s → null', (_name, token) => {
    expect(parseAccessToken007(token)).toBeNull();
  });
});
