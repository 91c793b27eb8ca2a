import { ErrorCode, type AppId } from '@parley/contracts';
import { PeerState } from '@parley/contracts';
import { SET_SESSION_STATES_MAX, Subjects, UserMsgKind, type RegisterSessionRequest, type SetSessionStatesReply } from '@parley/contracts/internal';
import type { NatsBus, ServiceClient } from '@parley/platform';
import type { PresenceConfig } from '../config/presence.config';
import type { StatusPublisher } from '../status/status-publisher';
import type { ChangedSession, RegisteredSession, SessionRegistration, SessionStateChange, SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
let n = 0;
const req = (uid: string, over: Partial<RegisterSessionRequest> = {}): RegisterSessionRequest => ({
  appId,
  uid,
  sessionId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  instanceId: 'inst-a',
  gatewayId: 'gw@1',
  ...over,
});

function setup() {
  let seq = 10;
  const held = new Map<string, { epoch: number; instanceId: string }>();
  const repository = {
    registerMany: jest.fn(async (logins: readonly SessionRegistration[]): Promise<RegisteredSession[]> =>
      logins.map((l) => {
        const epoch = ++seq;
        const prev = held.get(l.uid);
        const won = !prev || prev.epoch < epoch;
        if (won) held.set(l.uid, { epoch, instanceId: l.instanceId });
        if (l.uid === 'banned') return { epoch, previousInstanceId: null, won: false, offlineStored: false, bannedUntil: new Date(Date.now() + 60_000) };
        return { epoch, previousInstanceId: prev?.instanceId ?? null, won, offlineStored: l.uid === 'mailbox' };
      }),
    ),
  };
  const bus = { publish: jest.fn() };
  const status = { online: jest.fn() };
  const config = {
    REGISTER_BATCH_DELAY_MS: 1,
    REGISTER_BATCH_MAX: 100,
    REGISTER_BATCH_WRITERS: 2,
    GATEWAY_TTL_MS: 6_000,
    RECONNECT_WINDOW_MS: 30_000,
  } as PresenceConfig;
  const sut = new SessionsService(
    repository as unknown as SessionsRepository,
    bus as unknown as NatsBus,
    {} as ServiceClient,
    status as unknown as StatusPublisher,
    config,
  );
  return { sut, repository, bus, status, held };
}

describe('SessionsService.register', () => {
  it('registers concurrent logins with one statement and publishes a KICK with its epoch for each', async () => {
    const { sut, repository, bus, status } = setup();
    const replies = await Promise.all([sut.register(req('ann')), sut.register(req('bo')), sut.register(req('mailbox'))]);
    expect(repository.registerMany).toHaveBeenCalledTimes(1);
    expect(replies).toEqual([
      { epoch: 11, replaced: 'none', offline: false },
      { epoch: 12, replaced: 'none', offline: false },
      { epoch: 13, replaced: 'none', offline: true },
    ]);
    expect(bus.publish.mock.calls.map(([subject, body]) => [subject, (body as [number, { epoch: number }])[1].epoch])).toEqual([
      [Subjects.user(appId, 'ann'), 11],
      [Subjects.user(appId, 'bo'), 12],
      [Subjects.user(appId, 'mailbox'), 13],
    ]);
    expect(status.online).toHaveBeenCalledTimes(3);
  });

  it('settles logins of one uid in one batch: exactly one wins with the highest epoch, every one is KICKed for', async () => {
    const { sut, bus, held } = setup();
    const replies = await Promise.all([
      sut.register(req('race', { instanceId: 'x' })),
      sut.register(req('race', { instanceId: 'y' })),
      sut.register(req('race', { instanceId: 'y' })),
    ]);
    expect(replies.map((r) => r.replaced)).toEqual(['none', 'remote', 'same-instance']);
    const epochs = replies.map((r) => r.epoch);
    expect(held.get('race')!.epoch).toBe(Math.max(...epochs));
    const kicks = bus.publish.mock.calls.filter(([, body]) => (body as [number])[0] === UserMsgKind.KICK);
    expect(kicks.map(([, body]) => (body as [number, { epoch: number }])[1].epoch)).toEqual(epochs);
  });

  it('tells a login that a racing newer one overtook (superseded), still KICKing for it, without an ONLINE change', async () => {
    const { sut, bus, status, held } = setup();
    held.set('late', { epoch: 1_000, instanceId: 'other' });
    const reply = await sut.register(req('late'));
    expect(reply).toMatchObject({ superseded: true, replaced: 'remote' });
    expect(bus.publish).toHaveBeenCalledTimes(1);
    expect(status.online).not.toHaveBeenCalled();
  });

  it.each<[string, Partial<RegisterSessionRequest>]>([
    ['a session id that is no UUID', { sessionId: 'nope' }],
    ['an empty instance id', { instanceId: '' }],
    ['an instance id past 64 chars', { instanceId: 'i'.repeat(65) }],
    ['a gateway id past 100 chars', { gatewayId: 'g'.repeat(101) }],
    ['an invalid uid', { uid: ' bad' }],
  ])('refuses %s before it can fail a batch', async (_what, over) => {
    const { sut, repository } = setup();
    await expect(sut.register(req('ann', over))).rejects.toMatchObject({ code: expect.any(Number) });
    expect(repository.registerMany).not.toHaveBeenCalled();
  });

  it("answers a gateway's batch login by login: a malformed one fails alone", async () => {
    const { sut, repository } = setup();
    const reply = await sut.registerRequest({ logins: [req('ann'), req('bo', { sessionId: 'nope' }), req('cy')] });
    expect(reply).toEqual({
      results: [
        { ok: true, data: { epoch: 11, replaced: 'none', offline: false } },
        { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: expect.any(String) } },
        { ok: true, data: { epoch: 12, replaced: 'none', offline: false } },
      ],
    });
    expect(repository.registerMany).toHaveBeenCalledTimes(1);
    await expect(sut.registerRequest({ logins: [] })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('refuses a banned login with REJECTED, without a KICK or an ONLINE change, while the others of its batch go on', async () => {
    const { sut, bus, status } = setup();
    const reply = await sut.registerRequest({ logins: [req('ann'), req('banned'), req('cy')] });
    expect(reply).toEqual({
      results: [
        { ok: true, data: { epoch: 11, replaced: 'none', offline: false } },
        { ok: false, error: { code: ErrorCode.REJECTED, message: expect.stringMatching(/banned until/) } },
        { ok: true, data: { epoch: 13, replaced: 'none', offline: false } },
      ],
    });
    expect(bus.publish.mock.calls.map(([subject]) => subject)).toEqual([Subjects.user(appId, 'ann'), Subjects.user(appId, 'cy')]);
    expect(status.online).toHaveBeenCalledTimes(2);
  });
});

describe('SessionsService sweep schedule', () => {
  function sweepSetup(dues: Array<number | null>, over: Partial<PresenceConfig> = {}, heartbeatDue: number | null = null) {
    const repository = {
      nextSweepDue: jest.fn(async () => (dues.length > 1 ? dues.shift()! : dues[0]!)),
      gatewayHeartbeat: jest.fn(async () => ({ online: [], nextSweepDueMs: heartbeatDue })),
      suspectSilentGateways: jest.fn(async () => []),
      sweepOffline: jest.fn(async () => []),
      setStates: jest.fn(async (changes: readonly unknown[]) => changes.map(() => ({ appId, uid: 'ann', seq: 5 }))),
    };
    const config = { GATEWAY_TTL_MS: 6_000, RECONNECT_WINDOW_MS: 30_000, SWEEP_INTERVAL_MS: 5_000, SWEEP_SAFETY_MS: 60_000, ...over } as PresenceConfig;
    const status = { unreachable: jest.fn(), offline: jest.fn(), online: jest.fn(), publish: jest.fn() };
    const sut = new SessionsService(
      repository as unknown as SessionsRepository,
      { publish: jest.fn() } as unknown as NatsBus,
      { emit: jest.fn() } as unknown as ServiceClient,
      status as unknown as StatusPublisher,
      config,
    );
    return { sut, repository };
  }
  /** Runs the timers due within `ms` and the database calls they make. */
  async function advance(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('checks the deadline, sleeps until it instead of polling, and sweeps when it has come', async () => {
    // Start-up: the first safety sweep, then 3 s to the next deadline; at it, 2 s more (another
    // deadline moved in); then it is due: a sweep, and 4 s to the next.
    const { sut, repository } = sweepSetup([9_000, 3_000, 2_000, 0, 4_000]);
    sut.onApplicationBootstrap();
    await advance(1);
    expect(repository.sweepOffline).toHaveBeenCalledTimes(1);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2);
    await advance(2_900);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2); // asleep, no polling
    await advance(200);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(3);
    expect(repository.sweepOffline).toHaveBeenCalledTimes(1); // not due yet when asked
    await advance(2_000);
    expect(repository.sweepOffline).toHaveBeenCalledTimes(2);
    expect(repository.suspectSilentGateways).toHaveBeenCalledTimes(2);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(5);
    await advance(3_900);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(5);
    sut.onApplicationShutdown();
    await advance(60_000);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(5); // stopped
  });

  it('a heartbeat it wrote tells it the next deadline: no read of its own while that news is fresh, and it sweeps when it comes', async () => {
    const { sut, repository } = sweepSetup([9_000, 9_000, 0, 9_000], {}, 4_000);
    sut.onApplicationBootstrap();
    await advance(1);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2); // start-up: the safety sweep and the read after it
    // Heartbeats every 2 s, each saying the next deadline (the other gateway's TTL) is 4 s away.
    for (let i = 0; i < 10; i++) {
      await sut.gatewayHeartbeat({ gatewayId: 'gw-1', sessions: 0 });
      await advance(2_000);
    }
    expect(repository.gatewayHeartbeat).toHaveBeenCalledWith('gw-1', 30_000, 6_000);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2); // 20 s without a read of its own
    // The heartbeats stop (this replica no longer gets them): at the deadline last told, it reads again and sweeps.
    expect(repository.sweepOffline).toHaveBeenCalledTimes(1);
    await advance(2_100);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(4);
    expect(repository.sweepOffline).toHaveBeenCalledTimes(2);
    sut.onApplicationShutdown();
  });

  it("a heartbeat's news from before a deadline it made itself is not trusted: it reads at that deadline", async () => {
    const { sut, repository } = sweepSetup([null], { RECONNECT_WINDOW_MS: 2_000 }, null);
    sut.onApplicationBootstrap();
    await advance(1);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2);
    await sut.gatewayHeartbeat({ gatewayId: 'gw-1', sessions: 0 }); // nothing due, says the database
    await sut.setState({ appId, uid: 'ann', sessionId: '00000000-0000-4000-8000-000000000001', state: 1 });
    await advance(2_100);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(3);
    sut.onApplicationShutdown();
  });

  it('never sleeps longer than SWEEP_INTERVAL_MS, and wakes at the end of a reconnect window it started', async () => {
    const { sut, repository } = sweepSetup([null], { RECONNECT_WINDOW_MS: 2_000 });
    sut.onApplicationBootstrap();
    await advance(1);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(2);
    await advance(5_100);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(3); // nothing known: the interval
    // A connection lost here: its window ends in 2 s, before the interval's next look.
    await sut.setState({ appId, uid: 'ann', sessionId: '00000000-0000-4000-8000-000000000001', state: 1 });
    await advance(1_900);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(3);
    await advance(200);
    expect(repository.nextSweepDue).toHaveBeenCalledTimes(4);
    sut.onApplicationShutdown();
  });
});

describe('SessionsService.setStates', () => {
  const sid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  function statesSetup() {
    // The registry: uid → [sessionId, state]; a change applies to the uid's current session only.
    const rows = new Map<string, [string, number]>([
      ['ann', [sid(1), 0]],
      ['bo', [sid(2), 0]],
      ['cy', [sid(3), 1]],
    ]);
    let seq = 100;
    const statements: SessionStateChange[][] = [];
    const repository = {
      setStates: jest.fn(async (changes: readonly SessionStateChange[]): Promise<(ChangedSession | null)[]> => {
        statements.push([...changes]);
        return changes.map((c) => {
          const row = rows.get(c.uid);
          if (!row || row[0] !== c.sessionId || row[1] === c.state) return null;
          row[1] = c.state;
          return { appId: c.appId, uid: c.uid, seq: ++seq };
        });
      }),
      nextSweepDue: jest.fn(async () => null),
    };
    // As StatusPublisher: online/unreachable are publish with that state.
    const publish = jest.fn();
    const status = {
      publish,
      online: (rows: unknown) => publish(rows, PeerState.ONLINE),
      unreachable: (rows: unknown) => publish(rows, PeerState.UNREACHABLE),
    };
    const config = { GATEWAY_TTL_MS: 6_000, RECONNECT_WINDOW_MS: 30_000, SWEEP_INTERVAL_MS: 5_000, SWEEP_SAFETY_MS: 60_000 } as PresenceConfig;
    const sut = new SessionsService(
      repository as unknown as SessionsRepository,
      { publish: jest.fn() } as unknown as NatsBus,
      {} as ServiceClient,
      status as unknown as StatusPublisher,
      config,
    );
    return { sut, repository, status, statements, rows };
  }

  it("writes a gateway's batch with one statement, answers each change in order, and publishes what changed once", async () => {
    const { sut, repository, status } = statesSetup();
    const reply = (await sut.setStates({
      changes: [
        { appId, uid: 'ann', sessionId: sid(1), state: 1 },
        { appId, uid: 'bo', sessionId: sid(9), state: 1 }, // replaced meanwhile by a newer login: left as it is
        { appId, uid: 'cy', sessionId: sid(3), state: 1 }, // already UNREACHABLE
        { appId, uid: 'cy', sessionId: sid(3), state: 0 }, // cy again: after the first, in a statement of its own
      ],
    })) as SetSessionStatesReply;
    sut.onApplicationShutdown();
    expect(reply.results).toEqual([
      { ok: true, data: { changed: true } },
      { ok: true, data: { changed: false } },
      { ok: true, data: { changed: false } },
      { ok: true, data: { changed: true } },
    ]);
    expect(repository.setStates).toHaveBeenCalledTimes(2);
    expect(repository.setStates.mock.calls.map(([c]) => c.map((x) => `${x.uid}:${x.state}`))).toEqual([['ann:1', 'bo:1', 'cy:1'], ['cy:0']]);
    // Published statement by statement, once each has committed.
    expect(status.publish.mock.calls).toEqual([
      [[{ appId, uid: 'ann', seq: 101 }], PeerState.UNREACHABLE],
      [[{ appId, uid: 'cy', seq: 102 }], PeerState.ONLINE],
    ]);
  });

  it('answers the changes of a statement that failed with its error, and still publishes what the others wrote', async () => {
    const { sut, repository, status } = statesSetup();
    const calls = repository.setStates.getMockImplementation()!;
    repository.setStates.mockImplementationOnce(calls).mockImplementationOnce(async () => Promise.reject(new Error('connection terminated')));
    const reply = await sut.setStates({
      changes: [
        { appId, uid: 'ann', sessionId: sid(1), state: 1 },
        { appId, uid: 'ann', sessionId: sid(1), state: 0 }, // second statement: fails
      ],
    });
    sut.onApplicationShutdown();
    expect(reply.results[0]).toEqual({ ok: true, data: { changed: true } });
    expect(reply.results[1]).toMatchObject({ ok: false, error: { code: ErrorCode.UNAVAILABLE } }); // a lost database connection: try again
    expect(status.publish.mock.calls).toEqual([[[{ appId, uid: 'ann', seq: 101 }], PeerState.UNREACHABLE]]);
    await expect(sut.setState({ appId, uid: 'bo', sessionId: sid(2), state: 1 })).resolves.toEqual({ changed: true });
    repository.setStates.mockRejectedValueOnce(new Error('connection terminated'));
    await expect(sut.setState({ appId, uid: 'bo', sessionId: sid(2), state: 0 })).rejects.toThrow('connection terminated');
  });

  it('answers a malformed change with its error and writes the others; refuses an empty or oversized batch', async () => {
    const { sut, repository } = statesSetup();
    const reply = await sut.setStates({
      changes: [
        { appId, uid: 'ann', sessionId: 'not-a-uuid', state: 1 },
        { appId, uid: 'bo', sessionId: sid(2), state: 7 as 1 },
        null as never,
        { appId, uid: 'bo', sessionId: sid(2), state: 1 },
      ],
    });
    sut.onApplicationShutdown();
    expect(reply.results.map((r) => (r.ok ? r.data.changed : r.error.code))).toEqual([
      ErrorCode.INVALID_ARGUMENT,
      ErrorCode.INVALID_ARGUMENT,
      ErrorCode.INVALID_APP_ID, // no object at all: no app id
      true,
    ]);
    expect(repository.setStates).toHaveBeenCalledTimes(1);
    expect(repository.setStates.mock.calls[0]![0].map((c) => c.uid)).toEqual(['bo']);
    const change = { appId, uid: 'ann', sessionId: sid(1), state: 1 as const };
    await expect(sut.setStates({ changes: [] })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(sut.setStates({ changes: Array(SET_SESSION_STATES_MAX + 1).fill(change) })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(sut.setStates({ changes: 'x' as never })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(sut.setStates(null as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(repository.setStates).toHaveBeenCalledTimes(1);
  });

  it('writes once more after a deadlock with another batch, and a single change still throws its error', async () => {
    const { sut, repository } = statesSetup();
    repository.setStates.mockRejectedValueOnce(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    expect(await sut.setState({ appId, uid: 'ann', sessionId: sid(1), state: 1 })).toEqual({ changed: true });
    expect(repository.setStates).toHaveBeenCalledTimes(2);
    await expect(sut.setState({ appId, uid: 'ann', sessionId: sid(1), state: 2 as 1 })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    sut.onApplicationShutdown();
  });
});
