import type { AppId, GatewayId, SessionId, Uid } from '@parley/contracts';
import { isDeadlock, RegisterBatcher, rounds } from './register-batcher';
import type { RegisteredSession, SessionRegistration } from './sessions.repository';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
let n = 0;
const login = (uid: string): SessionRegistration => ({
  appId,
  uid: uid as Uid,
  sessionId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as SessionId,
  instanceId: `inst-${n}`,
  gatewayId: 'gw@1' as GatewayId,
});

/** A writer that numbers epochs like the sequence and keeps the highest per uid, as the statement does. */
function fakeRegistry() {
  let seq = 100;
  const rows = new Map<string, number>();
  const statements: string[][] = [];
  const write = jest.fn(async (logins: readonly SessionRegistration[]): Promise<RegisteredSession[]> => {
    statements.push(logins.map((l) => l.uid));
    const keys = logins.map((l) => `${l.appId}/${l.uid}`);
    if (new Set(keys).size !== keys.length) throw new Error('a uid twice in one statement');
    return logins.map((l, i) => {
      const epoch = ++seq;
      const held = rows.get(keys[i]!);
      const won = held === undefined || held < epoch;
      if (won) rows.set(keys[i]!, epoch);
      return { epoch, previousInstanceId: null, won, offlineStored: false };
    });
  });
  return { write, rows, statements };
}

describe('RegisterBatcher', () => {
  afterEach(() => jest.useRealTimers());

  it('writes the logins arriving within the delay with one statement, each caller getting its own result', async () => {
    const { write, statements } = fakeRegistry();
    const sut = new RegisterBatcher(write, { delayMs: 2, max: 100, writers: 2 });
    const results = await Promise.all(['ann', 'bo', 'cy'].map((uid) => sut.register(login(uid))));
    expect(statements).toEqual([['ann', 'bo', 'cy']]);
    expect(results.map((r) => r.epoch)).toEqual([101, 102, 103]);
  });

  it('writes a full batch at once, without waiting for the delay', async () => {
    jest.useFakeTimers();
    const { write, statements } = fakeRegistry();
    const sut = new RegisterBatcher(write, { delayMs: 1_000, max: 2, writers: 2 });
    const both = Promise.all([sut.register(login('ann')), sut.register(login('bo'))]);
    await both;
    expect(statements).toEqual([['ann', 'bo']]);
  });

  it('splits logins of one uid over statements written in arrival order: exactly one wins, the last, with the highest epoch', async () => {
    const { write, rows, statements } = fakeRegistry();
    const sut = new RegisterBatcher(write, { delayMs: 2, max: 100, writers: 2 });
    const results = await Promise.all([login('race'), login('bo'), login('race'), login('race')].map((l) => sut.register(l)));
    expect(statements).toEqual([['race', 'bo'], ['race'], ['race']]);
    const race = [results[0]!, results[2]!, results[3]!];
    expect(race.filter((r) => r.won)).toHaveLength(3); // each was newer than the row when written
    expect(Math.max(...race.map((r) => r.epoch))).toBe(race[2]!.epoch);
    expect(rows.get(`${appId}/race`)).toBe(race[2]!.epoch);
  });

  it('writes at most `writers` batches at once: logins arriving meanwhile wait and join one batch', async () => {
    const { write } = fakeRegistry();
    const release: Array<() => void> = [];
    const instant = write.getMockImplementation()!;
    write.mockImplementation((logins) => new Promise((r) => release.push(() => r(instant(logins)))));
    const started = () => write.mock.calls.map(([logins]) => logins.map((l) => l.uid));
    const sut = new RegisterBatcher(write, { delayMs: 0, max: 100, writers: 1 });
    const first = sut.register(login('ann'));
    await new Promise((r) => setTimeout(r, 5));
    const later = ['bo', 'cy', 'di'].map((uid) => sut.register(login(uid)));
    await new Promise((r) => setTimeout(r, 5));
    expect(started()).toEqual([['ann']]); // the writer is busy: the others wait
    release.shift()!();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(started()).toEqual([['ann'], ['bo', 'cy', 'di']]);
    release.shift()!();
    await Promise.all(later);
  });

  it('fails only the logins of the statement that failed', async () => {
    const { write } = fakeRegistry();
    write.mockImplementationOnce(async () => Promise.reject(new Error('database down')));
    const sut = new RegisterBatcher(write, { delayMs: 2, max: 100, writers: 2 });
    const settled = await Promise.allSettled([login('ann'), login('ann')].map((l) => sut.register(l)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
  });

  it('writes a statement again once after a deadlock', async () => {
    const { write, statements } = fakeRegistry();
    write.mockImplementationOnce(async () => Promise.reject(Object.assign(new Error('raw query failed'), { cause: { originalCode: '40P01' } })));
    const sut = new RegisterBatcher(write, { delayMs: 0, max: 100, writers: 2 });
    await expect(sut.register(login('ann'))).resolves.toMatchObject({ won: true });
    expect(write).toHaveBeenCalledTimes(2);
    expect(statements).toEqual([['ann']]);
  });

  it('writes what is queued when drained (shutdown)', async () => {
    jest.useFakeTimers();
    const { write } = fakeRegistry();
    const sut = new RegisterBatcher(write, { delayMs: 60_000, max: 100, writers: 2 });
    const pending = sut.register(login('ann'));
    await sut.drain();
    await expect(pending).resolves.toMatchObject({ epoch: 101 });
  });
});

describe('rounds', () => {
  it('puts the n-th login of each uid in round n, keeping arrival order', () => {
    const batch = ['a', 'b', 'a', 'c', 'a', 'b'].map((uid) => ({ login: login(uid) }));
    expect(rounds(batch).map((r) => r.map((p) => p.login.uid))).toEqual([['a', 'b', 'c'], ['a', 'b'], ['a']]);
  });
});

describe('isDeadlock', () => {
  it.each<[string, unknown, boolean]>([
    ['SQLSTATE on the error', { code: '40P01' }, true],
    ['SQLSTATE in a cause', { message: 'x', cause: { cause: { code: '40P01' } } }, true],
    ['the message', new Error('deadlock detected'), true],
    ['another error', { code: '23505' }, false],
    ['not an object', 'deadlock', false],
  ])('%s', (_what, err, expected) => expect(isDeadlock(err)).toBe(expected));
});
