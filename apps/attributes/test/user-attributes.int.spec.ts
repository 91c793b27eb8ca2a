import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, ParleyError, type AppId } from '@parley/contracts';
import { type UserAttrsWriteRequest } from '@parley/contracts/internal';
import { PrismaService } from '@parley/platform';
import { testDatabaseUrl, waitFor } from '@parley/testing';
import { readAttributesConfig } from '../src/config/attributes.config';
import { UserAttributesRepository } from '../src/user/user-attributes.repository';
import { UserAttributesService } from '../src/user/user-attributes.service';

/** "Medium" test: user attributes through the service and its SQL, against the real Postgres test database. */
describe('UserAttributesService (Postgres)', () => {
  let prisma: PrismaService;
  let sut: UserAttributesService;
  const appId = randomBytes(16).toString('hex') as AppId;

  /** The presence registry's row of a login (what presence writes on login). */
  const login = (uid: string, instanceId: string) => prisma.$executeRaw`
    INSERT INTO sessions (app_id, uid, session_id, instance_id, gateway_id) VALUES (${appId}, ${uid}, ${randomUUID()}::uuid, ${instanceId}, 'test-gw')
    ON CONFLICT (app_id, uid) DO UPDATE SET instance_id = EXCLUDED.instance_id, session_id = EXCLUDED.session_id`;
  const logout = (uid: string) => prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId} AND uid = ${uid}`;

  const write = (uid: string, instanceId: string, op: Omit<UserAttrsWriteRequest, 'appId' | 'uid' | 'instanceId'>) =>
    sut.write({ appId, uid, instanceId, ...op });
  const get = (uid: string, keys?: string[]) => sut.get({ appId, uid, keys });
  /** What the table holds, visible or not. */
  const stored = async (uid: string) =>
    Object.fromEntries(
      (await prisma.$queryRaw<{ key: string; value: string }[]>`SELECT key, value FROM user_attributes WHERE app_id = ${appId} AND uid = ${uid}`).map((r) => [
        r.key,
        r.value,
      ]),
    );
  const setRow = async (uid: string) =>
    (await prisma.$queryRaw<{ instance_id: string }[]>`SELECT instance_id FROM user_attribute_sets WHERE app_id = ${appId} AND uid = ${uid}`)[0];
  const rejection = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParleyError);
    return (err as ParleyError).code;
  };
  const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]));

  beforeAll(() => {
    prisma = new PrismaService(testDatabaseUrl());
    sut = new UserAttributesService(new UserAttributesRepository(prisma), readAttributesConfig({}));
  });

  afterAll(async () => {
    await prisma.$executeRaw`DELETE FROM user_attributes WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM user_attribute_sets WHERE app_id = ${appId}`;
    await prisma.$executeRaw`DELETE FROM sessions WHERE app_id = ${appId}`;
    await prisma.$disconnect();
  });

  it('sets, adds, deletes, clears and reads all or some keys', async () => {
    await login('ann', 'i1');
    expect(await get('ann')).toEqual({});
    expect(await write('ann', 'i1', { op: 'set', attrs: { a: '1', b: '2' } })).toBeNull();
    expect(await get('ann')).toEqual({ a: '1', b: '2' });
    await write('ann', 'i1', { op: 'add', attrs: { b: '20', c: '中文' } });
    expect(await get('ann')).toEqual({ a: '1', b: '20', c: '中文' });
    expect(await get('ann', ['a', 'c', 'missing'])).toEqual({ a: '1', c: '中文' });
    await write('ann', 'i1', { op: 'set', attrs: { d: '4' } });
    expect(await get('ann')).toEqual({ d: '4' });
    await write('ann', 'i1', { op: 'add', attrs: { e: '5', f: '6' } });
    await write('ann', 'i1', { op: 'delete', keys: ['d', 'f', 'never'] });
    expect(await get('ann')).toEqual({ e: '5' });
    await write('ann', 'i1', { op: 'clear' });
    expect(await get('ann')).toEqual({});
    await write('ann', 'i1', { op: 'add', attrs: { g: '7' } });
    await write('ann', 'i1', { op: 'set', attrs: {} });
    expect(await stored('ann')).toEqual({});
  });

  it('rejects a write over the limits with SIZE_OVERFLOW and changes nothing', async () => {
    await login('lim', 'i1');
    await write('lim', 'i1', { op: 'set', attrs: many(32) });
    expect(Object.keys(await get('lim'))).toHaveLength(32);
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { extra: 'x' } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(write('lim', 'i1', { op: 'set', attrs: many(33) }))).toBe(ErrorCode.SIZE_OVERFLOW);
    await write('lim', 'i1', { op: 'add', attrs: { k0: 'updated' } }); // an update adds no key
    expect(await stored('lim')).toEqual({ ...many(32), k0: 'updated' });

    const big = { a: 'x'.repeat(8000), b: 'y'.repeat(8000) }; // 16002 bytes
    await write('lim', 'i1', { op: 'set', attrs: big });
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { c: 'z'.repeat(382) } }))).toBe(ErrorCode.SIZE_OVERFLOW); // 16385
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { c: 'é'.repeat(191) } }))).toBe(ErrorCode.SIZE_OVERFLOW); // 1 + 382
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { c: 'v'.repeat(8193) } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { 'bad key': 'v' } }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(write('lim', 'i1', { op: 'add', attrs: { c: '' } }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(write('lim', 'i1', { op: 'delete', keys: [] }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await stored('lim')).toEqual(big);
    await write('lim', 'i1', { op: 'add', attrs: { c: 'z'.repeat(381) } }); // 16384: exactly the limit
    expect(Object.keys(await get('lim')).sort()).toEqual(['a', 'b', 'c']);
  });

  it('checks ids', async () => {
    expect(await rejection(sut.write({ appId: 'short', uid: 'u', instanceId: 'i', op: 'clear' }))).toBe(ErrorCode.INVALID_APP_ID);
    expect(await rejection(sut.write({ appId, uid: '', instanceId: 'i', op: 'clear' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await rejection(sut.write({ appId, uid: 'u', instanceId: '', op: 'clear' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(sut.get({ appId, uid: 'u', keys: [] }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('writes the current login when no instance is given (the server API), USER_NOT_FOUND without a session', async () => {
    const current = (uid: string, op: Omit<UserAttrsWriteRequest, 'appId' | 'uid' | 'instanceId'>) => sut.write({ appId, uid, ...op });
    expect(await rejection(current('eve', { op: 'set', attrs: { a: '1' } }))).toBe(ErrorCode.USER_NOT_FOUND);
    expect(await setRow('eve')).toBeUndefined();

    await login('eve', 'tablet');
    await write('eve', 'tablet', { op: 'set', attrs: { own: 'sdk' } });
    expect(await current('eve', { op: 'add', attrs: { by: 'server' } })).toBeNull();
    expect(await get('eve')).toEqual({ own: 'sdk', by: 'server' });
    await current('eve', { op: 'delete', keys: ['own'] });
    expect(await get('eve')).toEqual({ by: 'server' });
    // the same limits, against the merged set
    await current('eve', { op: 'set', attrs: many(32) });
    expect(await rejection(current('eve', { op: 'add', attrs: { extra: 'x' } }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await stored('eve')).toEqual(many(32));
    await current('eve', { op: 'clear' });
    expect(await get('eve')).toEqual({});

    // another device logs in: a server write goes to the new login, which starts empty
    await write('eve', 'tablet', { op: 'set', attrs: { old: '1' } });
    await login('eve', 'phone');
    await current('eve', { op: 'add', attrs: { fresh: '1' } });
    expect(await get('eve')).toEqual({ fresh: '1' });
    expect(await setRow('eve')).toEqual({ instance_id: 'phone' });

    await logout('eve');
    expect(await rejection(current('eve', { op: 'clear' }))).toBe(ErrorCode.USER_NOT_FOUND);
    expect(await stored('eve')).toEqual({ fresh: '1' }); // untouched (the sweep removes it later)
  });

  it('serialises concurrent writers of one user: of 40 adds of new keys exactly 32 succeed', async () => {
    await login('crowd', 'i1');
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => write('crowd', 'i1', { op: 'add', attrs: { [`k${i}`]: `v${i}` } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(32);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.map((r) => (r.reason as ParleyError).code)).toEqual(Array(8).fill(ErrorCode.SIZE_OVERFLOW));
    expect(Object.keys(await get('crowd'))).toHaveLength(32);
  });

  it('starts a new login (another instance) from an empty set', async () => {
    await login('bob', 'phone');
    await write('bob', 'phone', { op: 'set', attrs: { a: '1', b: '2' } });
    expect(await get('bob')).toEqual({ a: '1', b: '2' });

    await login('bob', 'laptop'); // another device logs in: the phone's attributes vanish at once
    expect(await get('bob')).toEqual({});
    await write('bob', 'laptop', { op: 'add', attrs: { c: '3' } });
    expect(await get('bob')).toEqual({ c: '3' });
    expect(await stored('bob')).toEqual({ c: '3' });
    expect(await setRow('bob')).toEqual({ instance_id: 'laptop' });

    // a late write of the old instance takes the set back (and empties it), but is not visible
    await write('bob', 'phone', { op: 'add', attrs: { late: 'x' } });
    expect(await stored('bob')).toEqual({ late: 'x' });
    expect(await get('bob')).toEqual({});
  });

  it('shows attributes only while the registry holds a session of their instance', async () => {
    await write('cat', 'i1', { op: 'set', attrs: { a: '1' } }); // written before the session row exists
    expect(await get('cat')).toEqual({});
    await login('cat', 'i1');
    expect(await get('cat')).toEqual({ a: '1' });
    expect(await get('cat', ['a'])).toEqual({ a: '1' });
    await logout('cat');
    expect(await get('cat')).toEqual({});
    expect(await get('cat', ['a'])).toEqual({});
  });

  it('removes the set when its login ends, but not a newer login’s', async () => {
    await login('dan', 'new');
    await write('dan', 'new', { op: 'set', attrs: { a: '1' } });
    expect(await sut.gone({ appId, uid: 'dan', instanceId: 'old' })).toEqual({ removed: false });
    expect(await get('dan')).toEqual({ a: '1' });
    expect(await sut.gone({ appId, uid: 'dan', instanceId: 'new' })).toEqual({ removed: true });
    expect(await setRow('dan')).toBeUndefined();
    expect(await stored('dan')).toEqual({});
    expect(await sut.gone({ appId, uid: 'dan', instanceId: 'new' })).toEqual({ removed: false });
  });

  it('sweeps sets whose login ended long enough ago, and attributes without a set', async () => {
    await write('orphan', 'i1', { op: 'set', attrs: { a: '1' } }); // no session, idle
    await write('recent', 'i1', { op: 'set', attrs: { a: '1' } }); // no session, written just now
    await login('live', 'i1');
    await write('live', 'i1', { op: 'set', attrs: { a: '1' } }); // session of its instance, idle
    await login('moved', 'i2');
    await write('moved', 'i1', { op: 'set', attrs: { a: '1' } }); // session of another instance, idle
    await prisma.$executeRaw`INSERT INTO user_attributes (app_id, uid, key, value) VALUES (${appId}, 'setless', 'a', '1')`;
    await prisma.$executeRaw`
      UPDATE user_attribute_sets SET updated_at = now() - interval '61 seconds'
      WHERE app_id = ${appId} AND uid IN ('orphan', 'live', 'moved')`;

    // Another process may hold the sweep's lock for a moment: sweep until this test's orphans are gone.
    await waitFor(async () => (await sut.sweep(), (await setRow('orphan')) === undefined && (await setRow('moved')) === undefined), {
      what: 'the sweep',
      timeoutMs: 4_000,
    });
    expect(await stored('orphan')).toEqual({});
    expect(await stored('moved')).toEqual({});
    expect(await stored('setless')).toEqual({});
    expect(await setRow('recent')).toEqual({ instance_id: 'i1' });
    expect(await stored('recent')).toEqual({ a: '1' });
    expect(await get('live')).toEqual({ a: '1' });
  });

  it('checks before it sweeps: attributes without a set alone are found, and finding nothing opens no transaction', async () => {
    await waitFor(async () => (await sut.sweep()) === 0 && (await stored('setless2')).a === undefined, { what: 'nothing left to sweep' });
    const transaction = jest.spyOn(prisma, '$transaction');
    expect(await sut.sweep()).toBe(0);
    expect(transaction).not.toHaveBeenCalled(); // an idle sweep is one read

    await prisma.$executeRaw`INSERT INTO user_attributes (app_id, uid, key, value) VALUES (${appId}, 'setless2', 'a', '1')`;
    await waitFor(async () => (await sut.sweep(), (await stored('setless2')).a === undefined), { what: 'the sweep', timeoutMs: 4_000 });
    expect(transaction).toHaveBeenCalled();
    transaction.mockRestore();
  });
});
