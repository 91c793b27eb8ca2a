import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createCodec, ErrorCode, Evt, Frame, MessageKind, Op } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type TestApp } from '@parley/testing';
import { Packr } from 'msgpackr';
import WebSocket from 'ws';
import { FAST_TIMERS } from './support/timers';

const codec = createCodec();

/** A value nested `depth` arrays deep (for depths the codec can encode). */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/**
 * `value` encoded with the string "DEEP" replaced by an array nested `depth` deep: msgpackr decodes
 * ~5,000 levels, and encoding such a value again overflows the stack (the original crash).
 */
function encodeWithDeep(value: unknown, depth: number): Uint8Array {
  const bytes = codec.encode(value);
  const marker = codec.encode('DEEP');
  const at = Buffer.from(bytes).indexOf(Buffer.from(marker));
  const deep = new Uint8Array(depth + 1).fill(0x91);
  deep[depth] = 0x01;
  return Buffer.concat([bytes.subarray(0, at), deep, bytes.subarray(at + marker.length)]);
}

const cyclicPing = (): Uint8Array => {
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  return new Packr({ structuredClone: true }).pack([Frame.PING, cyclic]);
};

async function ready(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status;
}

/** A listen queue other than Node's 511 that this kernel allows (it caps the backlog at net.core.somaxconn). */
const BACKLOG = String(Math.min(1234, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))));

/**
 * The wire boundary (issue 12, defects 1, 2, 7, 9, 10): what a client sends is decoded with bounded
 * depth, parsed against the op's schema, and never re-encoded unchecked — on this gateway or on the
 * gateway a message travels to.
 */
describe('wire boundary', () => {
  let stack: Stack;
  let app: TestApp;
  const alive = () => stack.gateways.every((g) => g.child.exitCode === null && g.child.signalCode === null);

  beforeAll(async () => {
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 1, channel: 1 },
      env: { ...FAST_TIMERS, LOGIN_TIMEOUT_MS: '1500', UNAUTHENTICATED_MAX: '6', LISTEN_BACKLOG: BACKLOG },
    });
    app = await createTestApp();
  });

  afterAll(() => stack?.stop());

  it('survives an unauthenticated PING whose ts is cyclic or nested 3,000 deep, and the socket still logs in', async () => {
    const c = await WireClient.open(stack.gatewayUrls[0]!, { silent: true });
    c.sendRaw(cyclicPing());
    c.sendRaw(encodeWithDeep([Frame.PING, 'DEEP'], 3_000));
    c.send([Frame.PING, { not: 'a number' }]);
    c.send([Frame.PING, 42]);
    await waitFor(() => c.frames.some((f) => f[0] === Frame.PONG && f[1] === 42), { what: 'PONG 42' });
    expect(c.frames.filter((f) => f[0] === Frame.PONG)).toEqual([[Frame.PONG], [Frame.PONG, 42]]);
    expect((await c.request(Op.LOGIN, { appId: app.appId, uid: 'pinger', instanceId: 'i-pinger' }))[0]).toBe(0);
    expect(alive()).toBe(true);
    expect(await ready(stack.gateways[0]!.port)).toBe(200);
    c.close();
  });

  it('answers a request nested too deep with INVALID_ARGUMENT; a message with a deep extra field neither reaches nor stops the other gateway', async () => {
    const a = await WireClient.login(stack.gatewayUrls[0]!, app.appId, 'deep-a');
    const b = await WireClient.login(stack.gatewayUrls[1]!, app.appId, 'deep-b');
    const got: Array<{ id: string; m: Record<string, unknown> }> = [];
    b.onEvent = (evt, data) => {
      if (evt === Evt.CHANNEL_MESSAGE || evt === Evt.PEER_MESSAGE) got.push(data as { id: string; m: Record<string, unknown> });
    };
    expect((await b.request(Op.JOIN, { ch: 'deep' }))[0]).toBe(0);
    expect((await a.request(Op.JOIN, { ch: 'deep' }))[0]).toBe(0);

    const text = { k: MessageKind.TEXT, text: 'hi' };
    const deepChannel = (id: number) => encodeWithDeep([Frame.REQ, id, Op.SEND_CHANNEL, { ch: 'deep', id: 'd1', m: { ...text, x: 'DEEP' } }], 4_700);
    const deepPeer = (id: number) => encodeWithDeep([Frame.REQ, id, Op.SEND_PEER, { to: 'deep-b', id: 'd2', m: { ...text, x: 'DEEP' } }], 4_700);
    expect((await a.requestRaw(deepChannel))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await a.requestRaw(deepPeer))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    // Within the decoder's bound an unknown field is dropped: the message goes, the field does not.
    const shallowExtra = { ...text, x: nested(8), y: 'z'.repeat(4_000) };
    expect((await a.request(Op.SEND_CHANNEL, { ch: 'deep', id: 'd3', m: shallowExtra }))[0]).toBe(0);
    expect(await a.request(Op.SEND_PEER, { to: 'deep-b', id: 'd4', m: shallowExtra })).toEqual([0, { d: 0, ts: expect.any(Number) }]);
    await waitFor(() => got.length >= 2, { what: 'both messages on gateway 1' });
    expect(got.map((g) => [g.id, g.m])).toEqual([
      ['d3', text],
      ['d4', text],
    ]);

    // Gateway 1's NATS connection is fine: a new login there and messages to it work at once.
    const late = await WireClient.login(stack.gatewayUrls[1]!, app.appId, 'deep-late');
    expect((await a.request(Op.SEND_PEER, { to: 'deep-late', id: 'd5', m: text }, 3_000))[1]).toEqual({ d: 0, ts: expect.any(Number) });
    expect(alive()).toBe(true);
    expect(await ready(stack.gateways[1]!.port)).toBe(200);
    for (const c of [a, b, late]) c.close();
  });

  it('counts the whole message against the limit: unknown fields are never forwarded or stored', async () => {
    const a = await WireClient.login(stack.gatewayUrls[0]!, app.appId, 'size-a');
    const padded = { k: MessageKind.TEXT, text: 'small', extra: 'x'.repeat(30_000) };
    // Offline storage: the stored message is what the receiver gets at its next login.
    expect(await a.request(Op.SEND_PEER, { to: 'size-b', id: 's1', m: padded, offline: true })).toEqual([0, { d: 4, ts: expect.any(Number) }]);
    const limitText = { k: MessageKind.TEXT, text: 'é'.repeat(16 * 1024) }; // exactly 32 KiB of UTF-8
    expect((await a.request(Op.SEND_PEER, { to: 'size-b', id: 's2', m: limitText, offline: true }))[1]).toMatchObject({ d: 4 });
    expect((await a.request(Op.SEND_PEER, { to: 'size-b', id: 's3', m: { ...limitText, text: `${limitText.text}!` } }))[0]).toBe(ErrorCode.INVALID_MESSAGE);
    const b = await WireClient.open(stack.gatewayUrls[1]!);
    const got: Array<{ id: string; m: unknown }> = [];
    b.onEvent = (evt, data) => evt === Evt.PEER_MESSAGE && got.push(data as { id: string; m: unknown });
    expect((await b.request(Op.LOGIN, { appId: app.appId, uid: 'size-b', instanceId: 'i-size-b' }))[0]).toBe(0);
    await waitFor(() => got.length === 2, { what: 'offline messages' });
    expect(got.map((g) => g.id)).toEqual(['s1', 's2']);
    expect(got[0]!.m).toEqual({ k: MessageKind.TEXT, text: 'small' });
    a.close();
    b.close();
  });

  it('answers TOO_OFTEN with retryAfterMs', async () => {
    const c = await WireClient.open(stack.gatewayUrls[0]!);
    const bad = { appId: 'f'.repeat(32), uid: 'x', instanceId: 'i' };
    expect((await c.request(Op.LOGIN, bad))[0]).toBe(ErrorCode.INVALID_APP_ID);
    expect((await c.request(Op.LOGIN, bad))[0]).toBe(ErrorCode.INVALID_APP_ID);
    const [code, data] = await c.request(Op.LOGIN, bad);
    expect(code).toBe(ErrorCode.TOO_OFTEN);
    expect((data as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((data as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_000);
    c.close();

    const s = await WireClient.login(stack.gatewayUrls[0]!, app.appId, 'rate');
    expect((await s.request(Op.MEMBER_COUNT, { chs: ['a'] }))[0]).toBe(0);
    const [code2, data2] = await s.request(Op.MEMBER_COUNT, { chs: ['a'] });
    expect(code2).toBe(ErrorCode.TOO_OFTEN);
    expect((data2 as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((data2 as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1_000);
    s.close();
  });

  it('closes a socket that does not log in within LOGIN_TIMEOUT_MS, however much it pings', async () => {
    const idle = await WireClient.open(stack.gatewayUrls[1]!); // pings every 300 ms
    const user = await WireClient.login(stack.gatewayUrls[1]!, app.appId, 'timely');
    await waitFor(() => idle.closed, { what: 'login timeout close', timeoutMs: 10_000 });
    expect(idle.closed!.code).toBe(4005);
    expect(user.closed).toBeUndefined();
    expect((await user.request(Op.QUERY_ONLINE, { uids: ['timely'] }))[1]).toEqual([true]);
    user.close();
  });

  it('listens with a queue of LISTEN_BACKLOG connections (beyond it the kernel drops handshakes: a reconnect storm)', () => {
    for (const g of stack.gateways) {
      // For a listening socket, ss shows the backlog as Send-Q: State Recv-Q Send-Q Local Peer.
      const line = execFileSync('ss', ['-Hltn', `sport = :${g.port}`], { encoding: 'utf8' }).trim();
      expect(line.split(/\s+/)[2]).toBe(BACKLOG);
    }
  });

  it('caps the sockets that have not logged in, per gateway', async () => {
    const url = stack.gatewayUrls[0]!;
    const waiting = await Promise.all(Array.from({ length: 6 }, () => WireClient.open(url)));
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe('503');
    // A login frees a place.
    expect((await waiting[0]!.request(Op.LOGIN, { appId: app.appId, uid: 'capped', instanceId: 'i-capped' }))[0]).toBe(0);
    const next = await WireClient.open(url);
    for (const c of [...waiting, next]) c.close();
  });
});

describe('wire boundary: infrastructure failures', () => {
  let stack: Stack;

  afterAll(() => stack?.stop());

  it('answers LOGIN with UNAVAILABLE (retryable), not UNKNOWN, while Postgres cannot be reached', async () => {
    stack = await Stack.start({
      replicas: { gateway: 1, presence: 1 },
      env: FAST_TIMERS,
      appEnv: { gateway: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable', DATABASE_CONNECT_TIMEOUT_MS: '300' } },
    });
    const app = await createTestApp();
    const c = await WireClient.open(stack.gatewayUrls[0]!);
    const [code, data] = await c.request(Op.LOGIN, { appId: app.appId, uid: 'u', instanceId: 'i-u' });
    expect([code, data]).toEqual([ErrorCode.UNAVAILABLE, expect.objectContaining({ retryAfterMs: expect.any(Number) })]);
    expect(c.closed).toBeUndefined();
    c.close();
  });
});
