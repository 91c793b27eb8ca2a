import { deflateSync, inflateSync } from 'node:zlib';
import * as modern from 'agora-token';
import * as legacy from 'agora-access-token';
import { build006 } from './access-token-006';
import { build007 } from './access-token-007';
import {
  LOGIN_ERR,
  LOGIN_SERVER_CODES,
  generateAppId,
  generateCertificate,
  loginRejectionFor,
  verifyRtmToken,
  type TokenRejection,
  type VerifyRtmTokenInput,
} from './token-verifier';

const EX_APP = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const EX_CERT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const T0 = 1_700_000_000;
const EX_006 = '006a1b2c3d4e5f60718293a4b5c6d7e8f90IACdz6LcHYpZHoAoMyCSb2n/v8mv4ZEKZhvkKZPnpPRfYke8jicAAAAAEAD///9/gEJVZQEA6AMQ/1Nl';
const EX_007 =
  '007eJxTYKh4etzfbc91gfZzxsZ5+y6WrPEtuFmnolO8XrPEb73yUwcFhkTDJKNk4xSTVNM0MwNzQwsjS+NEkyTTZLMU81SLNEsDho/BqQJ8DAwNH34xMTIwMTAyMDKA+KwMiTmZyakALhQe+g==';

const APP = generateAppId();
const CERT = generateCertificate();
const OTHER_APP = generateAppId();
const OTHER_CERT = generateCertificate();
const now = () => Math.floor(Date.now() / 1000);

// Library classes for fixed-time tokens (deep imports have no typings).
interface LibService {
  add_privilege(id: number, expire: number): void;
}
const { AccessToken } = require('agora-access-token/src/AccessToken') as {
  AccessToken: new (
    app: string,
    cert: string,
    channel: string,
    uid: string,
  ) => {
    salt: number;
    ts: number;
    addPriviledge(id: number, ts: number): void;
    build(): string;
  };
};
const lib2 = require('agora-token/src/AccessToken2') as {
  AccessToken2: new (
    app: string,
    cert: string,
    issueTs: number,
    expire: number,
  ) => {
    add_service(s: LibService): void;
    build(): string;
  };
  ServiceRtm: new (userId: string) => LibService;
  Service: new (type: number) => LibService;
};

function legacy006(opts: { app?: string; cert?: string; account?: string; ts: number; privilege?: number }): string {
  const t = new AccessToken(opts.app ?? APP, opts.cert ?? CERT, opts.account ?? 'alice', '');
  t.ts = opts.ts;
  if (opts.privilege !== undefined) t.addPriviledge(1000, opts.privilege);
  return t.build();
}
function lib007(opts: { app?: string; cert?: string; issueTs: number; expire: number; rtm?: [string, number?][]; extra?: number[] }) {
  const t = new lib2.AccessToken2(opts.app ?? APP, opts.cert ?? CERT, opts.issueTs, opts.expire);
  for (const [user, privilege] of opts.rtm ?? [['alice', opts.expire]]) {
    const s = new lib2.ServiceRtm(user);
    if (privilege !== undefined) s.add_privilege(1, privilege);
    t.add_service(s);
  }
  for (const type of opts.extra ?? []) t.add_service(new lib2.Service(type));
  return t.build();
}
/** Flips one bit of the first signature byte (offset 2, after the uint16 length). */
function flip006(token: string): string {
  const content = Buffer.from(token.slice(35), 'base64');
  content[2]! ^= 1;
  return token.slice(0, 35) + content.toString('base64');
}
function flip007(token: string): string {
  const content = inflateSync(Buffer.from(token.slice(3), 'base64'));
  content[2]! ^= 1;
  return '007' + deflateSync(content).toString('base64');
}

const verify = (token: string, over: Partial<VerifyRtmTokenInput> = {}) => verifyRtmToken({ token, appId: APP, certificate: CERT, uid: 'alice', ...over });
const reason = (r: TokenRejection) => ({ ok: false, reason: r });

describe('worked example (§12.3)', () => {
  const ex = { appId: EX_APP, certificate: EX_CERT, uid: 'alice', nowSeconds: T0 + 10 };
  it('verifies both tokens with the given certificate', () => {
    expect(verifyRtmToken({ token: EX_006, ...ex })).toEqual({ ok: true, version: '006', expiresAt: T0 + 3600 });
    expect(verifyRtmToken({ token: EX_007, ...ex })).toEqual({ ok: true, version: '007', expiresAt: T0 + 3600 });
  });
  it('rejects both with a wrong certificate', () => {
    for (const token of [EX_006, EX_007]) {
      expect(verifyRtmToken({ token, ...ex, certificate: OTHER_CERT })).toEqual(reason('BAD_SIGNATURE'));
    }
  });
  it('expires at the login privilege end', () => {
    for (const token of [EX_006, EX_007]) {
      expect(verifyRtmToken({ token, ...ex, nowSeconds: T0 + 3599 }).ok).toBe(true);
      expect(verifyRtmToken({ token, ...ex, nowSeconds: T0 + 3600 })).toEqual(reason('EXPIRED'));
    }
  });
});

describe('tokens from the public npm builders', () => {
  const t007 = () => modern.RtmTokenBuilder.buildToken(APP, CERT, 'alice', 3600);
  const t006 = () => legacy.RtmTokenBuilder.buildToken(APP, CERT, 'alice', legacy.RtmRole.Rtm_User, now() + 3600);

  it('verify ok with the right expiry', () => {
    for (const [token, version] of [
      [t006(), '006'],
      [t007(), '007'],
    ] as const) {
      const v = verify(token);
      expect(v).toMatchObject({ ok: true, version });
      if (v.ok) expect(Math.abs(v.expiresAt - (now() + 3600))).toBeLessThanOrEqual(1);
    }
  });
  it('forged: one signature bit flipped', () => {
    expect(verify(flip006(t006()))).toEqual(reason('BAD_SIGNATURE'));
    expect(verify(flip007(t007()))).toEqual(reason('BAD_SIGNATURE'));
  });
  it('forged: signed with another certificate', () => {
    expect(verify(legacy.RtmTokenBuilder.buildToken(APP, OTHER_CERT, 'alice', 1, now() + 60))).toEqual(reason('BAD_SIGNATURE'));
    expect(verify(modern.RtmTokenBuilder.buildToken(APP, OTHER_CERT, 'alice', 60))).toEqual(reason('BAD_SIGNATURE'));
  });
  it('other app', () => {
    expect(verify(legacy.RtmTokenBuilder.buildToken(OTHER_APP, CERT, 'alice', 1, now() + 60))).toEqual(reason('WRONG_APP'));
    expect(verify(modern.RtmTokenBuilder.buildToken(OTHER_APP, CERT, 'alice', 60))).toEqual(reason('WRONG_APP'));
  });
  it('other uid (also case-sensitive)', () => {
    for (const uid of ['bob', 'Alice', 'alice ']) {
      expect(verify(legacy.RtmTokenBuilder.buildToken(APP, CERT, uid, 1, now() + 60))).toEqual(reason('WRONG_UID'));
      expect(verify(modern.RtmTokenBuilder.buildToken(APP, CERT, uid, 60))).toEqual(reason('WRONG_UID'));
    }
  });
  it('RTC-only / RTM2-only tokens grant no RTM 1.x login', () => {
    const rtc006 = legacy.RtcTokenBuilder.buildTokenWithUid(APP, CERT, 'alice', 0, legacy.RtcRole.PUBLISHER, now() + 60);
    expect(verify(rtc006)).toEqual(reason('NO_RTM_PRIVILEGE'));
    const rtc007 = modern.RtcTokenBuilder.buildTokenWithUserAccount(APP, CERT, 'chan', 'alice', modern.RtcRole.PUBLISHER, 60, 60);
    expect(verify(rtc007)).toEqual(reason('NO_RTM_PRIVILEGE'));
    const rtm2 = modern.RtmTokenBuilder.buildTokenWithPermissions(APP, CERT, 'alice', new modern.Rtm2Permissions(), 60);
    expect(verify(rtm2)).toEqual(reason('NO_RTM_PRIVILEGE'));
  });
  it('RTC+RTM token is accepted for RTM login', () => {
    const token = modern.RtcTokenBuilder.buildTokenWithRtm(APP, CERT, 'chan', 'alice', modern.RtcRole.PUBLISHER, 600, 60);
    expect(verify(token)).toMatchObject({ ok: true, version: '007' });
  });
});

describe('fixed-time tokens via the library classes', () => {
  const n = now();
  it('expired', () => {
    expect(verify(legacy006({ ts: n - 1, privilege: n + 3600 }))).toEqual(reason('EXPIRED'));
    expect(verify(legacy006({ ts: n + 86400, privilege: n }))).toEqual(reason('EXPIRED'));
    expect(verify(lib007({ issueTs: n - 7200, expire: 3600 }))).toEqual(reason('EXPIRED'));
    expect(verify(lib007({ issueTs: n - 100, expire: 3600, rtm: [['alice', 60]] }))).toEqual(reason('EXPIRED'));
  });
  it('forged beats expired, wrong app beats forged', () => {
    expect(verify(legacy006({ cert: OTHER_CERT, ts: n - 1, privilege: n - 1 }))).toEqual(reason('BAD_SIGNATURE'));
    expect(verify(lib007({ cert: OTHER_CERT, issueTs: n - 7200, expire: 3600 }))).toEqual(reason('BAD_SIGNATURE'));
    expect(verify(lib007({ app: OTHER_APP, cert: OTHER_CERT, issueTs: n, expire: 60 }))).toEqual(reason('WRONG_APP'));
  });
  it('uid vs signature order: 006 reports the crc mismatch first, 007 the signature', () => {
    expect(verify(legacy006({ cert: OTHER_CERT, account: 'bob', ts: n + 60, privilege: 0 }))).toEqual(reason('WRONG_UID'));
    expect(verify(lib007({ cert: OTHER_CERT, issueTs: n, expire: 60, rtm: [['bob', 60]] }))).toEqual(reason('BAD_SIGNATURE'));
  });
  it('006 without the RTM login privilege', () => {
    expect(verify(legacy006({ ts: n + 60 }))).toEqual(reason('NO_RTM_PRIVILEGE'));
  });
  it('007 RTM service without the login privilege', () => {
    expect(verify(lib007({ issueTs: n, expire: 60, rtm: [['alice']] }))).toEqual(reason('NO_RTM_PRIVILEGE'));
  });
  it('007 with several RTM services: any one naming the user', () => {
    const token = lib007({
      issueTs: n,
      expire: 60,
      rtm: [
        ['bob', 60],
        ['alice', 30],
      ],
    });
    expect(verify(token)).toEqual({ ok: true, version: '007', expiresAt: n + 30 });
    expect(verify(token, { uid: 'bob' })).toEqual({ ok: true, version: '007', expiresAt: n + 60 });
    expect(verify(token, { uid: 'carol' })).toEqual(reason('WRONG_UID'));
  });
  it('007 unknown service types: signature still covers the raw bytes', () => {
    // Type 42 sorts after RTM (parsed); type 0 sorts before it, so parsing stops before RTM.
    expect(verify(lib007({ issueTs: n, expire: 60, extra: [42] }))).toMatchObject({ ok: true });
    expect(verify(flip007(lib007({ issueTs: n, expire: 60, extra: [42] })))).toEqual(reason('BAD_SIGNATURE'));
    expect(verify(lib007({ issueTs: n, expire: 60, extra: [0] }))).toEqual(reason('NO_RTM_PRIVILEGE'));
  });
});

describe('expiresAt', () => {
  it.each<[string, () => string, number, number]>([
    ['006 privilege 0 = unlimited → ts', () => build006(APP, CERT, 'alice', 0, { ts: T0 + 86400 }), T0, T0 + 86400],
    ['006 privilege after ts → ts', () => build006(APP, CERT, 'alice', T0 + 99999, { ts: T0 + 86400 }), T0, T0 + 86400],
    ['006 privilege before ts → privilege', () => build006(APP, CERT, 'alice', T0 + 60, { ts: T0 + 86400 }), T0, T0 + 60],
    ['007 privilege = expire', () => build007(APP, CERT, 'alice', 3600, { issueTs: T0 }), T0 + 5, T0 + 3600],
    ['007 privilege 0 = unlimited → token end', () => lib007({ issueTs: T0, expire: 600, rtm: [['alice', 0]] }), T0, T0 + 600],
    ['007 privilege longer → token end', () => lib007({ issueTs: T0, expire: 600, rtm: [['alice', 9000]] }), T0, T0 + 600],
    ['007 privilege shorter → privilege end', () => lib007({ issueTs: T0, expire: 600, rtm: [['alice', 120]] }), T0, T0 + 120],
  ])('%s', (_name, make, nowSeconds, expiresAt) => {
    expect(verify(make(), { nowSeconds })).toMatchObject({ ok: true, expiresAt });
  });
  it('006 token ts is inclusive (rejected when ts < now), privilege is exclusive', () => {
    const token = build006(APP, CERT, 'alice', 0, { ts: T0 });
    expect(verify(token, { nowSeconds: T0 }).ok).toBe(true);
    expect(verify(token, { nowSeconds: T0 + 1 })).toEqual(reason('EXPIRED'));
    expect(verify(build006(APP, CERT, 'alice', T0, { ts: T0 + 10 }), { nowSeconds: T0 })).toEqual(reason('EXPIRED'));
  });
  it('007 expire 0 is already expired', () => {
    expect(verify(build007(APP, CERT, 'alice', 0, { issueTs: T0 }), { nowSeconds: T0 })).toEqual(reason('EXPIRED'));
  });
});

describe('garbage → MALFORMED, never throws', () => {
  const good006 = build006(APP, CERT, 'alice', 0, { ts: T0 });
  const good007 = build007(APP, CERT, 'alice', 60);
  const junk: [string, unknown][] = [
    ['empty', ''],
    ['random text', 'hello world'],
    ['wrong version', '005' + good006.slice(3)],
    ['006 truncated', good006.slice(0, 50)],
    ['006 bad base64', good006.slice(0, 40) + '***' + good006.slice(43)],
    ['007 truncated base64', good007.slice(0, good007.length - 8)],
    ['007 not zlib', '007' + Buffer.from('x'.repeat(60)).toString('base64')],
    ['007 zlib of random bytes', '007' + deflateSync(Buffer.from(APP + CERT, 'hex')).toString('base64')],
    ['007 huge lengths', '007' + deflateSync(Buffer.alloc(64, 0xff)).toString('base64')],
    ['007 zlib bomb', '007' + deflateSync(Buffer.alloc(4 << 20)).toString('base64')],
    ['1 MiB of junk', '007' + 'Zm9v'.repeat(1 << 18)],
    ['token undefined', undefined],
    ['token number', 7],
  ];
  it.each(junk)('%s', (_name, token) => {
    expect(() => verify(token as string)).not.toThrow();
    expect(verify(token as string)).toEqual(reason('MALFORMED'));
  });
  it('non-string uid / app / certificate, or no input at all', () => {
    expect(verify(good007, { uid: 5 as unknown as string })).toEqual(reason('MALFORMED'));
    expect(verify(good007, { appId: null as unknown as string })).toEqual(reason('MALFORMED'));
    expect(verify(good007, { certificate: undefined as unknown as string })).toEqual(reason('MALFORMED'));
    expect(verifyRtmToken(undefined as unknown as VerifyRtmTokenInput)).toEqual(reason('MALFORMED'));
    expect(verify(good006, { nowSeconds: NaN })).toEqual(reason('MALFORMED'));
  });
});

describe('login rejection mapping (§6.2)', () => {
  it.each<[TokenRejection, number, keyof typeof LOGIN_ERR]>([
    ['MALFORMED', 9, 'INVALID_TOKEN'],
    ['WRONG_APP', 5, 'INVALID_APP_ID'],
    ['BAD_SIGNATURE', 9, 'INVALID_TOKEN'],
    ['WRONG_UID', 7, 'INVALID_ARGUMENT'],
    ['EXPIRED', 13, 'TOKEN_EXPIRED'],
    ['NO_RTM_PRIVILEGE', 9, 'INVALID_TOKEN'],
  ])('%s → server %i → LOGIN_ERR_%s', (r, serverCode, loginError) => {
    expect(loginRejectionFor(r)).toMatchObject({ serverCode, loginError, loginErrorCode: LOGIN_ERR[loginError] });
  });
  it('covers the whole table', () => {
    expect(Object.keys(LOGIN_SERVER_CODES).map(Number)).toEqual([5, 7, 9, 10, 11, 12, 13, 14, 15, 18, 19]);
    expect(LOGIN_SERVER_CODES[15]).toEqual({
      serverCode: 15,
      serverName: 'DYNAMIC_ENABLED_BUT_STATIC_KEY',
      loginError: 'INVALID_TOKEN',
      loginErrorCode: 5,
    });
  });
});

describe('generators', () => {
  it('make 32 lowercase hex chars, usable by the builders', () => {
    const ids = [generateAppId(), generateAppId(), generateCertificate(), generateCertificate()];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(4);
    expect(verify(build007(APP, CERT, 'alice', 60))).toMatchObject({ ok: true });
  });
  it('default clock is used when nowSeconds is omitted', () => {
    expect(verify(build007(APP, CERT, 'alice', 60, { issueTs: now() - 120 }))).toEqual(reason('EXPIRED'));
  });
});
