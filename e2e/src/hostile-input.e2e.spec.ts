import { CloseCode, ErrorCode, Evt, Frame, MAX_CLIENT_DEPTH, MessageKind, Op, opName } from '@parley/contracts';
import { requestSchemas } from '@parley/contracts/schemas';
import { createTestApp, Stack, startTestS3, waitFor, type ParleyProcess, type TestApp, type TestS3 } from '@parley/testing';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { Bystanders } from './support/hostile/bystanders';
import { HostileClient, NO_ARGS } from './support/hostile/client';
import {
  baselines,
  describe as show,
  expectedAnswers,
  fieldTargets,
  HOSTILE_VALUES,
  setAt,
  wholeArgsAttacks,
  type MatrixContext,
} from './support/hostile/matrix';
import { bytesOf, hostileInput } from './support/hostile/arbitraries';
import { deepPadded, F64, MapEntries, nestedArrays, nestedMaps, pack, RawValue } from './support/hostile/msgpack';
import { judge, runCases, Tally, type Case } from './support/hostile/runner';

/**
 * Issue 12, standing suite 1: hostile input and faults. Everything a client can put on the wire —
 * wrong types, sizes, numbers, unicode, nesting, prototype keys, broken framing, floods — sent to
 * a live two-gateway stack while well-behaved bystanders keep talking. Every request must get
 * exactly one answer with a typed code (or succeed where the value is valid), every socket must
 * stay open (except for an oversized frame: 1009), no process may exit, and the bystanders must
 * not notice. The counts are printed at the end (one line).
 */

const ALL_OPS = Object.values(Op) as Op[];
/** Rate limits relaxed, so that valid-but-odd values reach the services instead of TOO_OFTEN. */
const RELAXED = '100000/1000';
const RATES = [
  'LOGIN_RATE',
  'RENEW_TOKEN_RATE',
  'QUERY_ONLINE_RATE',
  'MESSAGE_RATE',
  'JOIN_SAME_CHANNEL_RATE',
  'GET_MEMBERS_RATE',
  'MEMBER_COUNT_RATE',
  'USER_ATTRS_WRITE_RATE',
  'USER_ATTRS_READ_RATE',
  'CHANNEL_ATTRS_WRITE_RATE',
  'CHANNEL_ATTRS_READ_RATE',
  'STATUS_SUBSCRIBE_RATE',
  'INVITATION_RATE',
  'MEDIA_UPLOAD_RATE',
  'MEDIA_INFO_RATE',
  'METADATA_WRITE_RATE',
  'METADATA_READ_RATE',
  'METADATA_SUBSCRIBE_RATE',
];

const tally = new Tally();
let stack: Stack;
let s3: TestS3;
let app: TestApp;
let bystanders: Bystanders;
const exits: string[] = [];
let uniq = 0;
const unique = () => `${Date.now().toString(36)}${(uniq++).toString(36)}`;
let seedMediaId = '';

async function ready(gw: ParleyProcess): Promise<number> {
  return (await fetch(`http://127.0.0.1:${gw.port}/health/ready`)).status;
}

let testStartedAt = 0;
beforeEach(() => {
  testStartedAt = Date.now();
});

/** Error lines the processes logged since the test began (the cause of an UNKNOWN is there). */
function loggedErrors(): string[] {
  return stack.processes.flatMap((p) =>
    p.output
      .filter((l) => {
        const m = /"level":(\d+),"time":(\d+)/.exec(l);
        return m ? Number(m[1]) >= 50 && Number(m[2]) >= testStartedAt : false;
      })
      .slice(-6)
      .map((l) => `  [${p.app}#${p.index}] ${l.slice(0, 400)}`),
  );
}

function assertNoFailures(where: string, before: number): void {
  const failures = tally.failures.slice(before);
  if (failures.length) {
    const logged = loggedErrors();
    throw new Error(
      `${where}: ${failures.length} failures:\n${failures.slice(0, 40).join('\n')}${failures.length > 40 ? '\n…' : ''}` +
        (logged.length ? `\nprocess errors:\n${logged.join('\n')}` : ''),
    );
  }
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** A 3-byte file stored through the gateway: its media id. */
async function uploadSeed(client: HostileClient): Promise<string> {
  const [c1, begin] = await client.call(Op.MEDIA_UPLOAD_BEGIN, { size: 3, name: 'seed.txt', type: 'FILE' });
  expect(c1).toBe(0);
  const uploadId = (begin as { uploadId: string }).uploadId;
  expect((await client.call(Op.MEDIA_UPLOAD_CHUNK, { uploadId, seq: 0, data: Uint8Array.from([1, 2, 3]) }))[0]).toBe(0);
  const [c3, info] = await client.call(Op.MEDIA_UPLOAD_END, { uploadId });
  expect(c3).toBe(0);
  return (info as { mediaId: string }).mediaId;
}

function context(over: Partial<MatrixContext> = {}): MatrixContext {
  return { appId: app.appId, nobody: 'h-nobody', ch: 'h-ch', mediaId: seedMediaId, uploadId: 'no-such-upload', unique, ...over };
}

/** The cases of one op: every field × every hostile value, then the whole-args attacks. */
function opCases(op: Op, ctx: MatrixContext, nextId: () => number, only?: { values?: number; fields?: number }): Case[] {
  const bases = baselines(op, ctx);
  const cases: Case[] = [];
  const targets = fieldTargets(op, bases).slice(0, only?.fields);
  const values = only?.values ? HOSTILE_VALUES.filter((_, i) => i % Math.ceil(HOSTILE_VALUES.length / only.values!) === 0) : HOSTILE_VALUES;
  for (const t of targets) {
    for (const h of values) {
      const args = setAt(bases[t.baseline], t.path, h.make(t.path));
      const variant = bases.length > 1 ? `[m.k=${(bases[t.baseline] as { m: { k: number } }).m.k}]` : '';
      cases.push({ label: `${opName(op)} ${t.path.join('.')}${variant} = ${h.label}`, bytes: HostileClient.reqBytes(nextId(), op, args) });
    }
  }
  const attacks = wholeArgsAttacks(NO_ARGS);
  for (const w of only?.values ? attacks.slice(0, 4) : attacks) {
    cases.push({ label: `${opName(op)} ${w.label}`, bytes: HostileClient.reqBytes(nextId(), op, w.make(bases[0])) });
  }
  return cases;
}

beforeAll(async () => {
  s3 = await startTestS3();
  stack = await Stack.start({
    replicas: { gateway: 2, presence: 1, channel: 1, attributes: 1, invitation: 1, media: 1, history: 1 },
    env: { LOGIN_TIMEOUT_MS: '30000', ...Object.fromEntries(RATES.map((r) => [r, RELAXED])) },
    appEnv: { media: s3.env },
  });
  for (const p of stack.processes) {
    void p.exited.then((code) => {
      tally.crashes++;
      exits.push(`${p.app}#${p.index} exited with ${code}:\n${p.output.slice(-30).join('\n')}`);
    });
  }
  app = await createTestApp();
  bystanders = new Bystanders('bystanders');
  await bystanders.start(stack.gatewayUrls, app.appId);
  const seeder = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'h-seeder');
  seedMediaId = await uploadSeed(seeder);
  seeder.close();
}, 90_000);

afterAll(async () => {
  bystanders?.close();
  console.log(tally.summary());
  await stack?.stop();
  await s3?.stop();
}, 60_000);

describe('hostile input and faults', () => {
  describe('the request matrix: every op × every field × hostile values', () => {
    it('covers every op of the protocol and every field of its schema', () => {
      const ctx = context();
      for (const op of ALL_OPS) {
        const targets = fieldTargets(op, baselines(op, ctx));
        const top = Object.keys((requestSchemas[op].args as unknown as { shape: object }).shape);
        expect(targets.map((t) => t.path[0])).toEqual(expect.arrayContaining(top));
      }
      expect(HOSTILE_VALUES.length).toBeGreaterThanOrEqual(25);
    });

    it('logged in: exactly one typed answer per request, the socket stays open', async () => {
      const before = tally.failures.length;
      const ops = ALL_OPS.filter((op) => op !== Op.LOGIN && op !== Op.LOGOUT);
      await pool(ops, 4, async (op, i) => {
        const client = await HostileClient.login(stack.gatewayUrls[i % 2]!, app.appId, `hm-${op}`);
        const ch = `hch-${op}`;
        expect((await client.call(Op.JOIN, { ch }))[0]).toBe(0);
        let uploadId = 'no-such-upload';
        if (op === Op.MEDIA_UPLOAD_CHUNK || op === Op.MEDIA_UPLOAD_END || op === Op.MEDIA_CANCEL) {
          const [code, begin] = await client.call(Op.MEDIA_UPLOAD_BEGIN, { size: 1000, name: 'matrix.bin', type: 'FILE' });
          expect(code).toBe(0);
          uploadId = (begin as { uploadId: string }).uploadId;
        }
        const cases = opCases(op, context({ ch, uploadId }), () => client.id());
        await runCases(client, cases, tally, { authenticated: true, where: `[gw${i % 2} ${opName(op)}]` });
        client.close();
      });
      assertNoFailures('logged-in matrix', before);
    }, 240_000);

    it('LOGIN: every field × hostile values, each on a fresh socket', async () => {
      const before = tally.failures.length;
      const cases: Array<() => Case> = [];
      const shape = fieldTargets(Op.LOGIN, baselines(Op.LOGIN, context()));
      for (const t of shape) {
        for (const h of HOSTILE_VALUES) {
          cases.push(() => ({
            label: `login ${t.path.join('.')} = ${h.label}`,
            bytes: HostileClient.reqBytes(1, Op.LOGIN, setAt(baselines(Op.LOGIN, context())[0], t.path, h.make(t.path))),
          }));
        }
      }
      for (const w of wholeArgsAttacks(NO_ARGS)) {
        cases.push(() => ({ label: `login ${w.label}`, bytes: HostileClient.reqBytes(1, Op.LOGIN, w.make(baselines(Op.LOGIN, context())[0])) }));
      }
      await pool(cases, 12, async (make, i) => {
        const client = await HostileClient.open(stack.gatewayUrls[i % 2]!);
        client.id(); // id 1 is the case's
        await runCases(client, [make()], tally, { authenticated: false, where: `[gw${i % 2} fresh socket]`, settleMs: 50 });
        client.close();
      });
      assertNoFailures('LOGIN matrix', before);
    }, 120_000);

    it('LOGOUT: whole-args attacks, each on a fresh session', async () => {
      const before = tally.failures.length;
      const attacks = wholeArgsAttacks(NO_ARGS);
      await pool(attacks, 4, async (w, i) => {
        const client = await HostileClient.login(stack.gatewayUrls[i % 2]!, app.appId, `lo-${unique()}`);
        const c: Case = { label: `logout ${w.label}`, bytes: HostileClient.reqBytes(client.id(), Op.LOGOUT, w.make({})) };
        await runCases(client, [c], tally, { authenticated: true, where: `[gw${i % 2} logout]` });
        client.close();
      });
      assertNoFailures('LOGOUT matrix', before);
    }, 60_000);

    it('before LOGIN: a sample of every op is answered NOT_LOGGED_IN (INVALID_ARGUMENT when the frame itself is refused)', async () => {
      const before = tally.failures.length;
      const client = await HostileClient.open(stack.gatewayUrls[1]!);
      const cases = ALL_OPS.filter((op) => op !== Op.LOGIN).flatMap((op) => [
        { label: `${opName(op)} valid args`, bytes: HostileClient.reqBytes(client.id(), op, baselines(op, context())[0]) },
        ...opCases(op, context(), () => client.id(), { values: 5, fields: 2 }),
      ]);
      await runCases(client, cases, tally, { authenticated: false, where: '[unauthenticated]' });
      client.close();
      assertNoFailures('unauthenticated sample', before);
    }, 60_000);
  });

  describe('framing attacks', () => {
    const packr = new Packr({ structuredClone: true });
    const cyclic = () => {
      const o: Record<string, unknown> = { a: 1 };
      o['self'] = o;
      return o;
    };

    async function framing(client: HostileClient, cases: Case[], authenticated: boolean, where: string): Promise<void> {
      const before = tally.failures.length;
      await runCases(client, cases, tally, { authenticated, where, inFlight: 1 });
      assertNoFailures(where, before);
    }

    function garbage(client: HostileClient): Case[] {
      const req = (args: unknown) => HostileClient.reqBytes(client.id(), Op.QUERY_ONLINE, args);
      const valid = req({ uids: ['a', 'b'] });
      const cut = (n: number) => ({ label: `REQ truncated by ${n} bytes`, bytes: req({ uids: ['a', 'b'] }).subarray(0, -n) });
      return [
        { label: 'empty message', bytes: new Uint8Array(0) },
        { label: 'HTTP request line', bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
        { label: 'JSON', bytes: Buffer.from('{"op":1,"args":{}}') },
        { label: '0xc1', bytes: Uint8Array.of(0xc1) },
        { label: 'ff ff ff ff', bytes: Uint8Array.of(0xff, 0xff, 0xff, 0xff) },
        { label: 'array32 claiming 4G items', bytes: Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff, 0x02) },
        { label: 'map32 claiming 4G entries', bytes: Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff) },
        { label: 'str32 claiming 4 GB', bytes: Uint8Array.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61) },
        { label: 'bin32 claiming 4 GB', bytes: Uint8Array.of(0xc6, 0xff, 0xff, 0xff, 0xff) },
        { label: 'a number', bytes: pack(42) },
        { label: 'a string', bytes: pack('REQ') },
        { label: 'a map', bytes: pack({ 0: 2, 1: 1 }) },
        { label: 'an empty array', bytes: pack([]) },
        { label: 'nil', bytes: pack(null) },
        cut(1),
        cut(3),
        cut(Math.floor(valid.length / 2)),
        { label: 'REQ + a trailing byte', bytes: Buffer.concat([req({ uids: ['a'] }), Uint8Array.of(0xc0)]) },
        { label: 'two frames in one message', bytes: Buffer.concat([req({ uids: ['a'] }), req({ uids: ['b'] })]) },
        { label: 'fixext1', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, new RawValue(Uint8Array.of(0xd4, 0x01, 0x00))]) },
        { label: 'ext8 (type 0x70)', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, new RawValue(Uint8Array.of(0xc7, 0x02, 0x70, 1, 2))]) },
        {
          label: 'ext32 claiming 4 GB',
          bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, new RawValue(Uint8Array.of(0xc9, 0xff, 0xff, 0xff, 0xff, 0x01))]),
        },
        { label: 'timestamp ext as args', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, new RawValue(Uint8Array.of(0xd6, 0xff, 0, 0, 0, 1))]) },
        { label: 'structured-clone cyclic PING', bytes: packr.pack([Frame.PING, cyclic()]) },
        { label: 'structured-clone cyclic REQ args', bytes: packr.pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, cyclic()]) },
        { label: 'structured-clone cyclic BATCH', bytes: packr.pack([Frame.BATCH, [Frame.REQ, client.id(), Op.QUERY_ONLINE, cyclic()]]) },
        { label: 'msgpackr records (structures)', bytes: new Packr({ useRecords: true }).pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, { uids: ['a'] }]) },
        { label: 'PING ts nested 3,000 deep', bytes: pack([Frame.PING, nestedArrays(3000)]) },
        { label: 'PING ts nested to the bound', bytes: pack([Frame.PING, nestedArrays(MAX_CLIENT_DEPTH - 1)]) },
        { label: 'PING ts a map with __proto__', bytes: pack([Frame.PING, new MapEntries([['__proto__', { x: 1 }]])]) },
        { label: 'PING ts NaN', bytes: pack([Frame.PING, new F64(NaN)]) },
        { label: 'PING ts 2^64-1', bytes: pack([Frame.PING, 2n ** 64n - 1n]) },
        { label: 'frame nested 3,000 deep', bytes: pack(nestedArrays(3000)) },
        { label: 'REQ args nested 3,000 deep', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, nestedMaps(3000)]) },
        { label: 'REQ args nested to the bound', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, nestedMaps(MAX_CLIENT_DEPTH - 1)]) },
        { label: 'REQ args nested one past the bound', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, nestedMaps(MAX_CLIENT_DEPTH)]) },
        { label: 'BATCH nested to the bound', bytes: pack([Frame.BATCH, [Frame.REQ, client.id(), Op.QUERY_ONLINE, nestedMaps(MAX_CLIENT_DEPTH - 2)]]) },
        { label: 'BATCH nested past the bound', bytes: pack([Frame.BATCH, [Frame.REQ, client.id(), Op.QUERY_ONLINE, nestedMaps(MAX_CLIENT_DEPTH - 1)]]) },
        { label: 'BATCH inside BATCH', bytes: pack([Frame.BATCH, [Frame.BATCH, [Frame.REQ, client.id(), Op.QUERY_ONLINE, { uids: ['a'] }]]]) },
        { label: 'BATCH of non-frames', bytes: pack([Frame.BATCH, 1, 'x', null, {}, [], [Frame.REQ]]) },
        { label: 'empty BATCH', bytes: pack([Frame.BATCH]) },
        { label: 'HELLO/RES/EVT from the client', bytes: pack([Frame.BATCH, [Frame.HELLO, {}], [Frame.RES, 1, 0, null], [Frame.EVT, Evt.DROP, {}]]) },
        { label: 'ACK with garbage ids', bytes: pack([Frame.BATCH, [Frame.ACK, -1], [Frame.ACK, new F64(NaN)], [Frame.ACK, '1'], [Frame.ACK]]) },
        { label: 'PONG with garbage', bytes: pack([Frame.PONG, { a: [1, 2] }]) },
        { label: 'unknown frame type', bytes: pack([99, 1, 2, 3]) },
        { label: 'REQ with a traceparent of garbage', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, { uids: ['a'] }, { x: 'y' }]) },
        { label: 'REQ with a malformed traceparent', bytes: pack([Frame.REQ, client.id(), Op.QUERY_ONLINE, { uids: ['a'] }, '00-zz-zz-zz']) },
      ];
    }

    it('garbage, truncation, extension types, cyclic and deep values: typed answer or silence, logged in', async () => {
      const client = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'fr-garbage');
      await framing(client, garbage(client), true, '[framing, logged in]');
      client.close();
    });

    it('the same before LOGIN (the original crash: a deep PING on a socket that never logged in)', async () => {
      for (const url of stack.gatewayUrls) {
        const client = await HostileClient.open(url, { ping: false });
        await framing(client, garbage(client), false, `[framing, unauthenticated ${url}]`);
        client.close();
      }
    });

    it('answers a PING whose ts is not a number with a PONG without ts', async () => {
      const client = await HostileClient.open(stack.gatewayUrls[0]!, { ping: false });
      const pongs = client.pongs;
      client.sendValue([Frame.PING, nestedArrays(MAX_CLIENT_DEPTH - 1)]);
      client.sendValue([Frame.PING, { a: 'b' }]);
      client.sendValue([Frame.PING]);
      expect(await client.fence()).toBe(true);
      expect(client.pongs - pongs).toBe(4);
      client.close();
    });

    it('ignores text WebSocket messages, also ones that are valid MessagePack (docs/protocol.md §2)', async () => {
      const client = await HostileClient.open(stack.gatewayUrls[0]!, { ping: false });
      tally.inputs += 3;
      client.sendText('hello');
      client.sendText(JSON.stringify([Frame.REQ, 1, Op.LOGIN, {}]));
      // U+0702 is DC 82 in UTF-8: an array16 header of 0x8200 items; then ASCII bytes are positive fixints:
      // the text decodes as [REQ, 5, QUERY_ONLINE, 0, 0, …] — a request with bad args.
      const text = '\u0702' + '\u0000' + String.fromCharCode(Frame.REQ, 5, Op.QUERY_ONLINE) + '\u0000'.repeat(0x8200 - 3);
      const bytes = Buffer.from(text, 'utf8');
      expect(bytes[0]).toBe(0xdc);
      expect(expectedAnswers(bytes, { authenticated: false })).toEqual([{ id: 5, op: Op.QUERY_ONLINE, code: ErrorCode.NOT_LOGGED_IN }]);
      client.sendText(text);
      expect(await client.fence()).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const answered = [...client.answers.keys()];
      if (!answered.length) tally.silent += 3;
      expect(answered).toEqual([]);
      client.close();
    });

    it('ignores requests with ids that are not positive safe integers, answers MAX_SAFE_INTEGER', async () => {
      const client = await HostileClient.login(stack.gatewayUrls[1]!, app.appId, 'fr-ids');
      const bad = [
        0,
        -1,
        1.5,
        new F64(2),
        '7',
        null,
        true,
        [1],
        { id: 1 },
        new F64(NaN),
        new F64(Infinity),
        2n ** 53n,
        2n ** 64n - 1n,
        -(2n ** 63n),
        new F64(-0),
      ];
      const cases: Case[] = bad.map((id) => ({ label: `REQ id ${show(id)}`, bytes: HostileClient.reqBytes(id, Op.QUERY_ONLINE, { uids: ['a'] }) }));
      cases.push({ label: 'REQ id MAX_SAFE_INTEGER', bytes: HostileClient.reqBytes(Number.MAX_SAFE_INTEGER, Op.QUERY_ONLINE, { uids: ['a'] }) });
      cases.push({ label: 'REQ id MAX_SAFE_INTEGER as float64', bytes: HostileClient.reqBytes(new F64(2 ** 40), Op.QUERY_ONLINE, { uids: ['a'] }) });
      await framing(client, cases, true, '[request ids]');
      expect(client.answers.get(Number.MAX_SAFE_INTEGER)?.[0]?.[2]).toBe(0);
      client.close();
    });

    it('answers unknown ops UNSUPPORTED_OP, logged in or not', async () => {
      const ops = [0, 5, 9, 11, 25, 99, 9999, -1, 2 ** 32, 1.5, new F64(-0), new F64(NaN), '1', 'LOGIN', null, true, [1], { op: 1 }, Uint8Array.of(1)];
      for (const authenticated of [true, false]) {
        const client = authenticated ? await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'fr-ops') : await HostileClient.open(stack.gatewayUrls[0]!);
        const cases = ops.map((op) => ({ label: `op ${show(op)}`, bytes: HostileClient.reqBytes(client.id(), op, {}) }));
        await framing(client, cases, authenticated, `[unknown ops, ${authenticated ? 'logged in' : 'unauthenticated'}]`);
        for (const [, list] of client.answers) if (!client.ownIds.has(list[0]![1] as number)) expect(list[0]![2]).toBe(ErrorCode.UNSUPPORTED_OP);
        client.close();
      }
    });

    it('answers every op before LOGIN with NOT_LOGGED_IN, also in one BATCH', async () => {
      const client = await HostileClient.open(stack.gatewayUrls[1]!);
      const ops = ALL_OPS.filter((op) => op !== Op.LOGIN);
      const single = ops.map((op) => ({ label: `${opName(op)} before LOGIN`, bytes: HostileClient.reqBytes(client.id(), op, baselines(op, context())[0]) }));
      const batch = {
        label: 'all ops in one BATCH',
        bytes: pack([Frame.BATCH, ...ops.map((op) => [Frame.REQ, client.id(), op, baselines(op, context())[0]])]),
      };
      await framing(client, [...single, batch], false, '[before LOGIN]');
      expect([...client.answers.values()].every((l) => l[0]![2] === ErrorCode.NOT_LOGGED_IN)).toBe(true);
      expect(client.answers.size).toBe(2 * ops.length);
      client.close();
    });

    it('answers each of 2,000 requests in one BATCH exactly once', async () => {
      const client = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'fr-flood');
      // Mostly requests the gateway settles itself (a flood of service calls is the last test's subject).
      const kinds: Array<[number, unknown]> = [
        [9999, {}],
        [Op.JOIN, { ch: 7 }],
        [Op.QUERY_SUBSCRIBED, { option: 'ONLINE_STATUS' }],
        [Op.LEAVE, { ch: 'never-joined' }],
        [Op.GET_MEMBERS, { ch: 'never-joined' }],
        [Op.SEND_CHANNEL, { ch: 'never-joined', id: 'x', m: { k: MessageKind.TEXT, text: 'flood' } }],
        [Op.MEDIA_UPLOAD_CHUNK, { uploadId: 'none', seq: 0, data: Uint8Array.of(1) }],
        [Op.INVITE, { id: 'x', callee: 'bad callee!\n' }],
        [Op.QUERY_ONLINE, { uids: ['h-nobody'] }],
        [Op.SEND_PEER, { to: 'h-nobody', id: 'x', m: { k: MessageKind.TEXT, text: 'flood' } }],
      ];
      const frames = Array.from({ length: 2000 }, (_, i) => {
        // one in 25 goes to a service
        const [op, args] = i % 25 === 0 ? kinds[8 + ((i / 25) % 2)]! : kinds[i % 8]!;
        return [Frame.REQ, client.id(), op, op === Op.SEND_PEER ? { ...(args as object), id: `flood-${i}` } : args];
      });
      const bytes = pack([Frame.BATCH, ...frames]);
      expect(bytes.length).toBeLessThan(client.hello!.maxFrameBytes);
      await framing(client, [{ label: '2,000 requests in one BATCH', bytes }], true, '[flood]');
      expect(client.answers.size).toBe(2001); // + the LOGIN
      client.close();
    }, 60_000);

    it('answers every one of 260,000 PINGs sent at once, in messages a client can decode', async () => {
      const client = await HostileClient.open(stack.gatewayUrls[1]!);
      const max = client.hello!.maxFrameBytes;
      const per = Math.floor((max - 8) / 2); // [PING] is 2 bytes
      const message = pack([Frame.BATCH, ...Array.from({ length: per }, () => [Frame.PING])]);
      expect(message.length).toBeLessThanOrEqual(max);
      const messages = 8;
      tally.inputs += messages;
      // Written back to back: the gateway reads several in one turn of its event loop, so one flush
      // to this socket holds more than 65,535 frames (more than an array16 BATCH header can count).
      for (let i = 0; i < messages; i++) client.sendBytes(message);
      const fenced = await client.fence(8_000);
      if (fenced) await waitFor(() => client.pongsWithoutTs >= messages * per || client.closed, { timeoutMs: 5_000 }).catch(() => undefined);
      const seen = { fenced, undecodable: client.undecodable, firstUndecodable: client.firstUndecodable, pongs: client.pongsWithoutTs, closed: client.closed };
      if (seen.pongs === messages * per) tally.typed += messages;
      expect(seen).toEqual({ fenced: true, undecodable: 0, firstUndecodable: undefined, pongs: messages * per, closed: undefined });
      client.close();
    }, 60_000);

    it('closes a socket that sends more than maxFrameBytes with 1009; the gateway lives on', async () => {
      for (const [i, url] of stack.gatewayUrls.entries()) {
        for (const authenticated of [false, true]) {
          const client = authenticated ? await HostileClient.login(url, app.appId, `fr-big-${i}`) : await HostileClient.open(url);
          const max = client.hello!.maxFrameBytes;
          const build = (len: number, id: number) =>
            HostileClient.reqBytes(id, Op.SEND_PEER, { to: 'h-nobody', id: 'big', m: { k: MessageKind.TEXT, text: 'x'.repeat(len) } });
          const overhead = build(60_000, 100).length - 60_000;
          const exact = build(max - overhead, 100);
          expect(exact.length).toBe(max);
          // exactly maxFrameBytes is taken (and answered: too long a text for a message, or not logged in)
          client.sendBytes(exact);
          const answer = await client.answerOf(100);
          expect(answer?.[2]).toBe(authenticated ? ErrorCode.INVALID_MESSAGE : ErrorCode.NOT_LOGGED_IN);
          tally.inputs += 2;
          tally.typed++;
          client.sendBytes(build(max - overhead + 1, 101));
          expect((await client.waitClosed())?.code).toBe(CloseCode.TOO_BIG);
          client.close();
        }
        // the gateway lives: ready, and a new user logs in and is answered
        expect(await ready(stack.gateways[i]!)).toBe(200);
        const after = await HostileClient.login(url, app.appId, `fr-after-big-${i}`);
        expect((await after.call(Op.QUERY_ONLINE, { uids: ['h-nobody'] }))[0]).toBe(0);
        after.close();
      }
    });

    it('refused frames that start like a request are answered INVALID_ARGUMENT, in every int form of the id the gateway reads', async () => {
      const client = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'fr-refused');
      const deep = nestedMaps(MAX_CLIENT_DEPTH);
      const cases: Case[] = [200, 300, 70_000].map((id) => ({ label: `too deep, id ${id}`, bytes: HostileClient.reqBytes(id, Op.QUERY_ONLINE, deep) }));
      cases.push({ label: 'too deep, 5 elements', bytes: pack([Frame.REQ, 400, Op.QUERY_ONLINE, deep, 'tp']) });
      await framing(client, cases, true, '[refused requests]');
      for (const id of [200, 300, 70_000, 400]) expect(client.answers.get(id)?.[0]?.[2]).toBe(ErrorCode.INVALID_ARGUMENT);
      client.close();
    });
  });

  describe('across gateways', () => {
    /** A sender on gateway 0 and a receiver on gateway 1, both in one channel. */
    async function pair(tag: string): Promise<{ a: HostileClient; b: HostileClient; ch: string }> {
      const ch = `xg-${tag}`;
      const a = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, `xa-${tag}`);
      const b = await HostileClient.login(stack.gatewayUrls[1]!, app.appId, `xb-${tag}`);
      expect((await b.call(Op.JOIN, { ch }))[0]).toBe(0);
      expect((await a.call(Op.JOIN, { ch }))[0]).toBe(0);
      return { a, b, ch };
    }

    const received = (c: HostileClient, evt: number, id: string) =>
      c.events.filter(([e, d]) => e === evt && (d as { id?: string }).id === id).map(([, d]) => d as { m: unknown });

    /** Gateway 1 still delivers and logs users in: a fresh user there gets a peer and a channel message from gateway 0. */
    async function gatewayOneWorks(tag: string): Promise<void> {
      const { a, b, ch } = await pair(`${tag}-after`);
      const [code, res] = await a.call(Op.SEND_PEER, { to: `xb-${tag}-after`, id: 'after-p', m: { k: MessageKind.TEXT, text: 'still there?' } });
      expect([code, (res as { d: number }).d]).toEqual([0, 0]);
      expect((await a.call(Op.SEND_CHANNEL, { ch, id: 'after-c', m: { k: MessageKind.TEXT, text: 'still there?' } }))[0]).toBe(0);
      await waitFor(() => received(b, Evt.CHANNEL_MESSAGE, 'after-c').length === 1, { what: 'channel message on gateway 1 after the attack' });
      expect(received(b, Evt.PEER_MESSAGE, 'after-p')).toHaveLength(1);
      a.close();
      b.close();
    }

    it('delivers a peer and a channel message carrying a deeply nested ~4.7 KB extra field without that field', async () => {
      const { a, b, ch } = await pair('nested');
      // m is at depth 3 of the frame: its extra field nests as deep as the bound allows (~4.7 KB)
      const extra = deepPadded(MAX_CLIENT_DEPTH - 3, 4700);
      const argsExtra = deepPadded(MAX_CLIENT_DEPTH - 2, 4700);
      const m = { k: MessageKind.TEXT, text: 'nested', extra };
      expect(pack(extra).length).toBeGreaterThan(4500);
      const id1 = a.id();
      const peerBytes = HostileClient.reqBytes(id1, Op.SEND_PEER, { to: 'xb-nested', id: 'np-1', m, zz: argsExtra });
      expect(expectedAnswers(peerBytes, { authenticated: true })).toEqual([{ id: id1, op: Op.SEND_PEER }]);
      a.sendBytes(peerBytes);
      const id2 = a.id();
      a.sendBytes(HostileClient.reqBytes(id2, Op.SEND_CHANNEL, { ch, id: 'nc-1', m, zz: argsExtra }));
      tally.inputs += 2;
      const [r1, r2] = [await a.answerOf(id1), await a.answerOf(id2)];
      expect([r1?.[2], (r1?.[3] as { d: number })?.d, r2?.[2]]).toEqual([0, 0, 0]);
      tally.typed += 2;
      tally.successes += 2;
      await waitFor(() => received(b, Evt.CHANNEL_MESSAGE, 'nc-1').length === 1, { what: 'the channel message on gateway 1' });
      expect(received(b, Evt.PEER_MESSAGE, 'np-1')).toEqual([expect.objectContaining({ m: { k: MessageKind.TEXT, text: 'nested' } })]);
      expect(received(b, Evt.CHANNEL_MESSAGE, 'nc-1')).toEqual([expect.objectContaining({ m: { k: MessageKind.TEXT, text: 'nested' } })]);
      for (const [, d] of b.events) expect(JSON.stringify(d)).not.toContain('"zz"');
      a.close();
      b.close();
      await gatewayOneWorks('nested');
    });

    it('refuses the same messages nested ~2,350 levels deep (~4.7 KB: the original defect) and gateway 1 keeps working', async () => {
      const { a, b, ch } = await pair('deep');
      const deep = nestedArrays(2350, 'x');
      expect(pack(deep).length).toBeGreaterThan(2350);
      const m = { k: MessageKind.TEXT, text: 'deep', extra: deep, extra2: nestedMaps(800) };
      expect(pack(m).length).toBeGreaterThan(4600);
      const cases: Case[] = [
        { label: 'deep peer message', bytes: HostileClient.reqBytes(a.id(), Op.SEND_PEER, { to: 'xb-deep', id: 'dp-1', m }) },
        { label: 'deep channel message', bytes: HostileClient.reqBytes(a.id(), Op.SEND_CHANNEL, { ch, id: 'dc-1', m }) },
        { label: 'deep peer message in a BATCH', bytes: pack([Frame.BATCH, [Frame.REQ, a.id(), Op.SEND_PEER, { to: 'xb-deep', id: 'dp-2', m }]]) },
      ];
      const before = tally.failures.length;
      await runCases(a, cases, tally, { authenticated: true, where: '[deep across gateways]', inFlight: 1 });
      assertNoFailures('deep across gateways', before);
      await new Promise((r) => setTimeout(r, 500));
      expect(b.events.filter(([e]) => e === Evt.PEER_MESSAGE || e === Evt.CHANNEL_MESSAGE)).toEqual([]);
      a.close();
      b.close();
      await gatewayOneWorks('deep');
    });
  });

  describe('names from Object.prototype', () => {
    const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'];

    it('users, channels and attribute keys named after Object.prototype members work across gateways', async () => {
      // an app of its own: the matrix's users joined channels of these names too
      const own = await createTestApp();
      const sender = await HostileClient.login(stack.gatewayUrls[0]!, own.appId, 'proto-sender');
      const receivers = new Map<string, HostileClient>();
      for (const n of NAMES) receivers.set(n, await HostileClient.login(stack.gatewayUrls[1]!, own.appId, n));
      const codes: Array<[string, number]> = [];
      const call = async (c: HostileClient, what: string, op: number, args: unknown) => {
        tally.inputs++;
        const [code, res] = await c.call(op, args);
        if (code !== ErrorCode.UNKNOWN) tally.typed++;
        else tally.unknown++;
        codes.push([what, code]);
        return [code, res] as const;
      };
      expect(await call(sender, 'query online', Op.QUERY_ONLINE, { uids: NAMES })).toEqual([0, NAMES.map(() => true)]);
      expect(await call(sender, 'subscribe', Op.SUBSCRIBE_STATUS, { uids: NAMES })).toEqual([0, NAMES.map(() => 0)]);
      await Promise.all(
        NAMES.map(async (n) => {
          const r = receivers.get(n)!;
          expect(await call(sender, `peer → ${n}`, Op.SEND_PEER, { to: n, id: `pp-${n}`, m: { k: MessageKind.TEXT, text: n } })).toEqual([
            0,
            expect.objectContaining({ d: 0 }),
          ]);
          expect((await call(r, `${n} joins ${n}`, Op.JOIN, { ch: n }))[0]).toBe(0);
          expect((await call(sender, `sender joins ${n}`, Op.JOIN, { ch: n }))[0]).toBe(0);
          expect((await call(sender, `channel ${n}`, Op.SEND_CHANNEL, { ch: n, id: `pc-${n}`, m: { k: MessageKind.TEXT, text: n } }))[0]).toBe(0);
          const [mc, members] = await call(sender, `members of ${n}`, Op.GET_MEMBERS, { ch: n });
          expect([mc, [...(members as string[])].sort()]).toEqual([0, ['proto-sender', n].sort()]);
          expect(await call(sender, `count of ${n}`, Op.MEMBER_COUNT, { chs: [n] })).toEqual([0, [2]]);
          expect((await call(r, `${n} sets user attrs`, Op.SET_USER_ATTRS, { attrs: new MapEntries([['k', n]]) }))[0]).toBe(0);
          // A map key "__proto__" is refused by the frame decoder (it would reach objects as a prototype, or be
          // renamed by msgpackr): INVALID_ARGUMENT, nothing stored under another name (below). Other names are keys like any.
          const keyCode = n === '__proto__' ? ErrorCode.INVALID_ARGUMENT : 0;
          expect((await call(r, `${n} adds key ${n}`, Op.ADD_USER_ATTRS, { attrs: new MapEntries([[n, `v-${n}`]]) }))[0]).toBe(keyCode);
          expect((await call(sender, `channel attrs of ${n}`, Op.SET_CHANNEL_ATTRS, { ch: n, attrs: new MapEntries([[n, n]]), notify: true }))[0]).toBe(
            keyCode,
          );
          expect((await call(sender, `invite ${n}`, Op.INVITE, { id: n, callee: n, content: n }))[0]).toBe(0);
          await waitFor(() => r.events.some(([e, d]) => e === Evt.CHANNEL_MESSAGE && (d as { id: string }).id === `pc-${n}`), {
            what: `channel message in ${n}`,
          });
          expect(r.events.some(([e, d]) => e === Evt.PEER_MESSAGE && (d as { id: string }).id === `pp-${n}`)).toBe(true);
          const [gc, got] = await call(sender, `user attrs of ${n}`, Op.GET_USER_ATTRS, { uid: n });
          expect(gc).toBe(0);
          expect((got as Record<string, string>)['k']).toBe(n);
        }),
      );
      // Keys round-trip by name. Read from the raw bytes: a client's msgpackr would rename "__proto__" when decoding.
      sender.keepRaw = true;
      const [code] = await call(sender, 'user attrs of __proto__', Op.GET_USER_ATTRS, { uid: '__proto__' });
      expect(code).toBe(0);
      const raw = Buffer.concat(sender.raw).toString('latin1');
      // fixstr(9) "__proto__" then fixstr(11) "v-__proto__": the key as the user set it, with its value
      const stored = raw.includes('\xa9__proto__\xabv-__proto__');
      const renamed = raw.includes('\xa8__proto_\xabv-__proto__');
      const added = codes.find(([what]) => what === '__proto__ adds key __proto__')![1];
      expect({ added, stored, renamed }).toEqual({ added: ErrorCode.INVALID_ARGUMENT, stored: false, renamed: false });
      for (const c of [sender, ...receivers.values()]) c.close();
      expect(codes.filter(([, c]) => c === ErrorCode.UNKNOWN)).toEqual([]);
    });

    it('a whole upload named x.constructor / x.__proto__ completes or is refused with a typed code', async () => {
      const client = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'proto-upload');
      const results: Array<[string, number, number, number]> = [];
      for (const name of ['x.constructor', 'x.__proto__', 'x.hasOwnProperty', 'x.toString', 'constructor']) {
        tally.inputs += 3;
        const [c1, begin] = await client.call(Op.MEDIA_UPLOAD_BEGIN, { size: 3, name, type: 'FILE' });
        const uploadId = (begin as { uploadId?: string })?.uploadId ?? 'none';
        const [c2] = await client.call(Op.MEDIA_UPLOAD_CHUNK, { uploadId, seq: 0, data: Uint8Array.of(1, 2, 3) });
        const [c3] = await client.call(Op.MEDIA_UPLOAD_END, { uploadId });
        tally.typed += [c1, c2, c3].filter((c) => c !== ErrorCode.UNKNOWN).length;
        tally.unknown += [c1, c2, c3].filter((c) => c === ErrorCode.UNKNOWN).length;
        results.push([name, c1, c2, c3]);
      }
      const logged = loggedErrors();
      expect({
        results: results.filter(([, ...c]) => c.includes(ErrorCode.UNKNOWN)),
        logged: results.some(([, ...c]) => c.includes(ErrorCode.UNKNOWN)) ? logged : [],
      }).toEqual({
        results: [],
        logged: [],
      });
      client.close();
    });
  });

  describe('sizes', () => {
    it('never forwards a 30 KB unknown field of a peer message; a text of exactly the limit works', async () => {
      const a = await HostileClient.login(stack.gatewayUrls[0]!, app.appId, 'sz-a');
      const b = await HostileClient.login(stack.gatewayUrls[1]!, app.appId, 'sz-b');
      const big = 'u'.repeat(30 * 1024);
      const sends: Array<[string, unknown, number | 'ok']> = [
        ['m + 30 KB unknown field', { to: 'sz-b', id: 's-1', m: { k: MessageKind.TEXT, text: 'small', extra: big } }, 'ok'],
        ['args + 30 KB unknown field', { to: 'sz-b', id: 's-2', m: { k: MessageKind.TEXT, text: 'small' }, zz: big }, 'ok'],
        ['text of exactly 32,768 bytes', { to: 'sz-b', id: 's-3', m: { k: MessageKind.TEXT, text: 't'.repeat(32_768) } }, 'ok'],
        ['32,768 bytes of 4-byte emoji', { to: 'sz-b', id: 's-4', m: { k: MessageKind.TEXT, text: '😀'.repeat(8192) } }, 'ok'],
        ['raw of exactly 32,768 bytes', { to: 'sz-b', id: 's-5', m: { k: MessageKind.RAW, raw: new Uint8Array(32_768).fill(7) } }, 'ok'],
        ['text of 32,769 bytes', { to: 'sz-b', id: 's-6', m: { k: MessageKind.TEXT, text: 't'.repeat(32_769) } }, ErrorCode.INVALID_MESSAGE],
        ['text of 32,767 bytes + one emoji', { to: 'sz-b', id: 's-7', m: { k: MessageKind.TEXT, text: 't'.repeat(32_767) + '😀' } }, ErrorCode.INVALID_MESSAGE],
      ];
      for (const [label, args, want] of sends) {
        tally.inputs++;
        const [code, res] = await a.call(Op.SEND_PEER, args);
        if (code === 0 || code !== ErrorCode.UNKNOWN) tally.typed++;
        if (want === 'ok') {
          expect({ label, code, d: (res as { d?: number })?.d }).toEqual({ label, code: 0, d: 0 });
          tally.successes++;
        } else {
          expect({ label, code }).toEqual({ label, code: want });
        }
      }
      const got = (id: string) =>
        b.events.find(([e, d]) => e === Evt.PEER_MESSAGE && (d as { id: string }).id === id)?.[1] as { m: Record<string, unknown> } | undefined;
      expect(got('s-1')?.m).toEqual({ k: MessageKind.TEXT, text: 'small' });
      expect(got('s-2')?.m).toEqual({ k: MessageKind.TEXT, text: 'small' });
      expect((got('s-3')?.m.text as string).length).toBe(32_768);
      expect(got('s-4')?.m.text).toBe('😀'.repeat(8192));
      expect((got('s-5')?.m.raw as Uint8Array).length).toBe(32_768);
      expect(got('s-6')).toBeUndefined();
      a.close();
      b.close();
    });
  });

  describe('property: random frames', () => {
    const input = hostileInput((op) => baselines(op, context())[0]);

    it('random frames get a typed answer or (when they carry no request id) silence; nothing dies', async () => {
      const before = tally.failures.length;
      const seen = new Set<number>();
      let client: HostileClient | undefined;
      let authenticated = true;
      let sockets = 0;
      const fresh = async () => {
        client?.close();
        sockets++;
        authenticated = sockets % 5 !== 0; // every fifth socket never logs in
        client = authenticated
          ? await HostileClient.login(stack.gatewayUrls[sockets % 2]!, app.appId, `fc-${unique()}`)
          : await HostileClient.open(stack.gatewayUrls[sockets % 2]!);
        seen.clear();
        for (const id of client.ownIds) seen.add(id);
      };
      await fresh();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(input, async (inp) => {
          tally.propertyRuns++;
          if (runs++ % 40 === 39 || !client!.isOpen) await fresh();
          const c = client!;
          const bytes = bytesOf(inp, () => c.id());
          fc.pre(bytes.length <= (c.hello?.maxFrameBytes ?? 65536));
          const state = { authenticated };
          const expected = expectedAnswers(bytes, state);
          // an id this socket used already cannot be told apart: skip the input
          fc.pre(expected.every((e) => !seen.has(e.id)) && new Set(expected.map((e) => e.id)).size === expected.length);
          for (const e of expected) seen.add(e.id);
          tally.inputs++;
          c.sendBytes(bytes);
          const failures: string[] = [];
          for (const e of expected) {
            const answer = await c.answerOf(e.id, 20_000);
            const f = judge(e, answer, tally, `[fast-check] ${show(inp.kind === 'bytes' ? inp.bytes : inp.value)}`);
            if (f) failures.push(f);
            if (e.op === Op.LOGIN && answer?.[2] === 0) state.authenticated = true;
          }
          const fenced = await c.fence();
          if (!expected.length && fenced) tally.silent++;
          if (!fenced || !c.isOpen) {
            tally.closedSockets++;
            failures.push(`socket closed after ${show(inp.kind === 'bytes' ? inp.bytes : inp.value)}: ${JSON.stringify(c.closed)}`);
          }
          const dup = [...c.answers].find(([, l]) => l.length > 1);
          if (dup) failures.push(`request ${dup[0]} answered ${dup[1].length} times`);
          const stray = [...c.answers.keys()].find((id) => !seen.has(id));
          if (stray !== undefined) failures.push(`request ${stray} answered although nothing asked for an answer: ${JSON.stringify(c.answers.get(stray))}`);
          if (c.undecodable) failures.push(`undecodable message from the gateway`);
          if (exits.length) failures.push(`a process exited: ${exits[0]}`);
          authenticated = state.authenticated;
          if (failures.length) {
            for (const f of failures) tally.fail(f);
            throw new Error(failures.join('\n'));
          }
        }),
        { numRuns: 300, seed: Number(process.env['HOSTILE_SEED'] ?? 20261202), interruptAfterTimeLimit: 90_000, markInterruptAsFailure: false },
      );
      client?.close();
      assertNoFailures('fast-check', before);
    }, 150_000);
  });

  describe('at the end', () => {
    it('bystanders got every message, both gateways are ready, and no process exited', async () => {
      const missing = await bystanders.stop();
      expect(bystanders.sentCount).toBeGreaterThan(100);
      expect(missing).toEqual([]);
      for (const gw of stack.gateways) expect(await ready(gw)).toBe(200);
      expect(exits).toEqual([]);
      expect(tally.crashes).toBe(0);
      console.log(`bystanders: ${bystanders.peerSent.length} peer and ${bystanders.channelSent.length} channel messages, all delivered`);
    }, 30_000);

    // Last: it may take its gateway down for the others (INVITE_CANCEL has no rate limit in the default configuration).
    it('a client flooding requests that have no rate limit (INVITE_CANCEL) does not get the other clients of its gateway dropped', async () => {
      const url = stack.gatewayUrls[1]!;
      const a = await HostileClient.login(url, app.appId, 'victim-a');
      const b = await HostileClient.login(url, app.appId, 'victim-b');
      const flooder = await HostileClient.login(url, app.appId, 'flooder');
      const messages = 10;
      const per = 2000;
      for (let m = 0; m < messages; m++) {
        flooder.sendBytes(pack([Frame.BATCH, ...Array.from({ length: per }, (_, i) => [Frame.REQ, flooder.id(), Op.INVITE_CANCEL, { id: `none-${m}-${i}` }])]));
      }
      tally.inputs += messages;
      await waitFor(() => flooder.answers.size > messages * per || flooder.closed, { timeoutMs: 60_000 }).catch(() => undefined);
      const codes = [...flooder.answers.values()].map((l) => l[0]![2] as number);
      tally.typed += codes.filter((c) => c !== ErrorCode.UNKNOWN).length;
      // the victims kept sending (heartbeats every 300 ms): they are connected and talk
      const [code, res] = await a
        .call(Op.SEND_PEER, { to: 'victim-b', id: 'after-flood', m: { k: MessageKind.TEXT, text: 'still here' } }, 30_000)
        .catch((err: Error) => [-1, err.message] as const);
      const outcome = {
        victimA: a.closed,
        victimB: b.closed,
        peerMessage: [code, (res as { d?: number })?.d],
        // the flooder: every request answered, or cut off with a code that says why (1006 = dropped as if silent)
        flooder: flooder.closed?.code === 1006 ? `dropped (1006) after ${flooder.answers.size - 1} of ${messages * per} answers` : 'ok',
        unknownAnswers: codes.filter((c) => c === ErrorCode.UNKNOWN).length,
      };
      tally.closedSockets += [a, b, flooder].filter((c) => c.closed).length;
      tally.unknown += outcome.unknownAnswers;
      expect(outcome).toEqual({ victimA: undefined, victimB: undefined, peerMessage: [0, 0], flooder: 'ok', unknownAnswers: 0 });
      for (const c of [a, b, flooder]) c.close();
      expect(await ready(stack.gateways[1]!)).toBe(200);
      expect(exits).toEqual([]);
    }, 150_000);
  });
});
