import { ErrorCode, Evt, MessageKind, Op } from '@parley/contracts';
import { createTestApp, Stack, waitFor, WireClient, type TestApp } from '@parley/testing';
import { FAST_TIMERS } from './support/timers';

/** What the SDK never sends, checked on the server: bad input, limits, the shared message budget. */
describe('channels on the wire', () => {
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    stack = await Stack.start({ replicas: { gateway: 2, presence: 1, channel: 2 }, env: FAST_TIMERS });
    app = await createTestApp();
  });

  afterAll(() => stack?.stop());

  async function login(uid: string, gw = 0): Promise<WireClient> {
    const c = await WireClient.open(stack.gatewayUrls[gw]!);
    expect((await c.request(Op.LOGIN, { appId: app.appId, uid, instanceId: `i-${uid}` }))[0]).toBe(0);
    return c;
  }

  it('fans a message out to the members on both gateways, not to the sender, with member events', async () => {
    const a = await login('wa', 0);
    const b = await login('wb', 1);
    const events: Array<[number, unknown]> = [];
    b.onEvent = (evt, data) => events.push([evt, data]);
    expect(await b.request(Op.JOIN, { ch: 'room' })).toEqual([0, { count: 1, ts: expect.any(Number) }]);
    expect(await a.request(Op.JOIN, { ch: 'room' })).toEqual([0, { count: 2, ts: expect.any(Number) }]);
    const [code, res] = await a.request(Op.SEND_CHANNEL, { ch: 'room', id: 'm1', m: { k: MessageKind.TEXT, text: 'hi all' } });
    expect(code).toBe(0);
    await waitFor(() => events.some(([e]) => e === Evt.CHANNEL_MESSAGE), { what: 'channel message' });
    expect(events.find(([e]) => e === Evt.CHANNEL_MESSAGE)![1]).toEqual({
      ch: 'room',
      from: 'wa',
      id: 'm1',
      m: { k: MessageKind.TEXT, text: 'hi all' },
      ts: (res as { ts: number }).ts,
    });
    expect(events).toContainEqual([Evt.MEMBER_JOINED, { ch: 'room', uid: 'wa' }]);
    expect(a.frames.some((f) => f[0] === 4 && f[1] === Evt.CHANNEL_MESSAGE)).toBe(false);
    expect(await a.request(Op.GET_MEMBERS, { ch: 'room' })).toEqual([0, expect.arrayContaining(['wa', 'wb'])]);
    expect(await a.request(Op.LEAVE, { ch: 'room' })).toEqual([0, null]);
    await waitFor(() => events.some(([e, d]) => e === Evt.MEMBER_LEFT && (d as { uid: string }).uid === 'wa'), { what: 'MemberLeft' });
    a.close();
    b.close();
  });

  it('answers bad channel requests with typed errors and keeps the connection', async () => {
    const c = await login('wc');
    expect((await c.request(Op.JOIN, { ch: 'a.b\n' }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await c.request(Op.JOIN, 'junk'))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    expect((await c.request(Op.LEAVE, { ch: 'never' }))[0]).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect((await c.request(Op.SEND_CHANNEL, { ch: 'never', id: 'x', m: { k: MessageKind.TEXT, text: 'x' } }))[0]).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect((await c.request(Op.GET_MEMBERS, { ch: 'never' }))[0]).toBe(ErrorCode.NOT_IN_CHANNEL);
    expect((await c.request(Op.MEMBER_COUNT, { chs: Array.from({ length: 33 }, (_, i) => `c${i}`) }))[0]).toBe(ErrorCode.EXCEED_LIMIT);
    expect(await c.request(Op.MEMBER_COUNT, { chs: ['nobody-here'] })).toEqual([0, [0]]);
    expect((await c.request(Op.MEMBER_COUNT, { chs: ['x'] }))[0]).toBe(ErrorCode.TOO_OFTEN);
    expect((await c.request(Op.JOIN, { ch: 'solo' }))[0]).toBe(0);
    expect((await c.request(Op.JOIN, { ch: 'solo' }))[0]).toBe(ErrorCode.ALREADY_JOINED);
    expect((await c.request(Op.SEND_CHANNEL, { ch: 'solo', id: 'big', m: { k: MessageKind.TEXT, text: 'x'.repeat(32 * 1024 + 1) } }))[0]).toBe(
      ErrorCode.INVALID_MESSAGE,
    );
    expect(c.closed).toBeUndefined();
    c.close();
  });

  it('limits joins: 20 channels per user, 2 joins of one channel per 5 s', async () => {
    const c = await login('wd');
    for (let i = 0; i < 20; i++) expect((await c.request(Op.JOIN, { ch: `many-${i}` }))[0]).toBe(0);
    expect((await c.request(Op.JOIN, { ch: 'many-20' }))[0]).toBe(ErrorCode.EXCEED_LIMIT);
    expect((await c.request(Op.LEAVE, { ch: 'many-0' }))[0]).toBe(0);
    expect((await c.request(Op.JOIN, { ch: 'many-0' }))[0]).toBe(0); // second join of many-0 within 5 s
    expect((await c.request(Op.LEAVE, { ch: 'many-0' }))[0]).toBe(0);
    expect((await c.request(Op.JOIN, { ch: 'many-0' }))[0]).toBe(ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN);
    c.close();
  });

  it('counts channel and peer messages against one 180-per-3-s budget', async () => {
    const c = await login('we');
    expect((await c.request(Op.JOIN, { ch: 'budget' }))[0]).toBe(0);
    const peer = Array.from({ length: 100 }, (_, i) => c.request(Op.SEND_PEER, { to: 'nobody', id: `p${i}`, m: { k: MessageKind.TEXT, text: 'x' } }));
    const chan = Array.from({ length: 81 }, (_, i) => c.request(Op.SEND_CHANNEL, { ch: 'budget', id: `c${i}`, m: { k: MessageKind.TEXT, text: 'x' } }));
    const codes = (await Promise.all([...peer, ...chan])).map(([code]) => code);
    expect(codes.filter((x) => x === 0)).toHaveLength(180);
    expect(codes.filter((x) => x === ErrorCode.TOO_OFTEN)).toHaveLength(1);
    c.close();
  });
});
