import type { AppId } from '@parley/contracts';
import { ApiError } from '../http/api-error';
import type { Principal } from '../auth/principal';
import type { ServicesClient } from '../clients/services.client';
import type { SharedRateLimits } from '../http/shared-rate-limits';
import { ChannelAttrsBody, ChannelAttrsDeleteQuery, SERVER_UID, UserAttrsBody, UserAttrsDeleteQuery } from './attributes.schemas';
import { actingUid, AttributesService } from './attributes.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const customer: Principal = { appId, kind: 'customer', credentialId: 'c'.repeat(32) };
const token: Principal = { appId, kind: 'token', uid: 'bot' };

function setup() {
  const services = {
    userAttributes: jest.fn().mockResolvedValue({ a: '1' }),
    writeUserAttributes: jest.fn().mockResolvedValue(null),
    channelAttributes: jest.fn().mockResolvedValue({ a: { value: '1', lastUpdateUserId: 'x', lastUpdateTs: 5 } }),
    writeChannelAttributes: jest.fn().mockResolvedValue(null),
  };
  const limits = { take: jest.fn() };
  const sut = new AttributesService(services as unknown as ServicesClient, limits as unknown as SharedRateLimits);
  return { sut, services, limits };
}

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
  return undefined;
}

async function rejected(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('actingUid', () => {
  it('is X-Parley-Uid, else the token’s uid, else the server uid for a customer credential', () => {
    expect(actingUid(customer, undefined)).toBe(SERVER_UID);
    expect(actingUid(customer, 'alice')).toBe('alice');
    expect(actingUid(token, undefined)).toBe('bot');
    expect(actingUid(token, 'bot')).toBe('bot');
  });

  it('refuses a token naming another uid (403)', () => {
    expect(statusOf(() => actingUid(token, 'alice'))).toBe(403);
    expect(statusOf(() => actingUid(token, SERVER_UID))).toBe(403);
  });
});

describe('AttributesService', () => {
  it('reads user and channel attributes of the caller’s app, counted as queries', async () => {
    const { sut, services, limits } = setup();
    expect(await sut.userAttributes(token, 'alice', ['a'], 'r1')).toEqual({ attributes: { a: '1' }, request_id: 'r1' });
    expect(services.userAttributes).toHaveBeenCalledWith({ appId, uid: 'alice', keys: ['a'] });
    expect(await sut.channelAttributes(appId, 'room', undefined, 'r2')).toEqual({
      attributes: { a: { value: '1', lastUpdateUserId: 'x', lastUpdateTs: 5 } },
      request_id: 'r2',
    });
    expect(services.channelAttributes).toHaveBeenCalledWith({ appId, ch: 'room', keys: undefined });
    expect(limits.take).toHaveBeenCalledTimes(2);
    expect(limits.take).toHaveBeenCalledWith('query', appId);
  });

  it('writes a user’s current login (no instance id): PUT sets, PATCH adds, DELETE removes keys or all', async () => {
    const { sut, services } = setup();
    expect(await sut.writeUser(customer, 'alice', 'put', { attributes: { a: '1' } }, 'r')).toEqual({ request_id: 'r' });
    await sut.writeUser(customer, 'alice', 'patch', { attributes: { b: '2' } }, 'r');
    await sut.deleteUser(customer, 'alice', { keys: ['a', 'b'] }, 'r');
    await sut.deleteUser(customer, 'alice', { all: 'true' }, 'r');
    expect(services.writeUserAttributes.mock.calls.map(([req]: [object]) => req)).toEqual([
      { appId, uid: 'alice', op: 'set', attrs: { a: '1' } },
      { appId, uid: 'alice', op: 'add', attrs: { b: '2' } },
      { appId, uid: 'alice', op: 'delete', keys: ['a', 'b'] },
      { appId, uid: 'alice', op: 'clear' },
    ]);
    for (const [req] of services.writeUserAttributes.mock.calls as [object][]) expect(req).not.toHaveProperty('instanceId');
  });

  it('lets a token write only its own uid’s attributes (403 before anything is sent or counted)', async () => {
    const { sut, services, limits } = setup();
    await sut.writeUser(token, 'bot', 'patch', { attributes: { a: '1' } }, 'r');
    expect(services.writeUserAttributes).toHaveBeenCalledTimes(1);
    expect((await rejected(sut.writeUser(token, 'alice', 'put', { attributes: {} }, 'r'))).status).toBe(403);
    expect((await rejected(sut.deleteUser(token, 'alice', { all: 'true' }, 'r'))).status).toBe(403);
    expect(services.writeUserAttributes).toHaveBeenCalledTimes(1);
    expect(limits.take).toHaveBeenCalledTimes(1);
  });

  it('writes channel attributes as the acting uid, with the notification flag as given', async () => {
    const { sut, services } = setup();
    await sut.writeChannel(customer, 'room', undefined, 'put', { attributes: { a: '1' }, enableNotificationToChannelMembers: true }, 'r');
    await sut.writeChannel(customer, 'room', 'alice', 'patch', { attributes: { b: '2' } }, 'r');
    await sut.deleteChannel(token, 'room', undefined, { keys: ['a'], enableNotificationToChannelMembers: 'true' }, 'r');
    await sut.deleteChannel(token, 'room', 'bot', { all: 'true', enableNotificationToChannelMembers: 'false' }, 'r');
    expect(services.writeChannelAttributes.mock.calls.map(([req]: [object]) => req)).toEqual([
      { appId, ch: 'room', uid: SERVER_UID, op: 'set', attrs: { a: '1' }, notify: true },
      { appId, ch: 'room', uid: 'alice', op: 'add', attrs: { b: '2' }, notify: false },
      { appId, ch: 'room', uid: 'bot', op: 'delete', keys: ['a'], notify: true },
      { appId, ch: 'room', uid: 'bot', op: 'clear', notify: false },
    ]);
    expect((await rejected(sut.writeChannel(token, 'room', 'alice', 'put', { attributes: { a: '1' } }, 'r'))).status).toBe(403);
    expect(services.writeChannelAttributes).toHaveBeenCalledTimes(4);
  });
});

describe('attribute request schemas', () => {
  it('take strict bodies of string values and refuse the __proto__ key (zod would drop it silently)', () => {
    expect(UserAttrsBody.safeParse({ attributes: { a: '1' } }).success).toBe(true);
    expect(UserAttrsBody.safeParse({ attributes: {} }).success).toBe(true);
    expect(UserAttrsBody.safeParse({ attributes: { a: '1' }, enableNotificationToChannelMembers: true }).success).toBe(false);
    expect(UserAttrsBody.safeParse({ attributes: { a: 1 } }).success).toBe(false);
    expect(UserAttrsBody.safeParse({ attributes: ['a'] }).success).toBe(false);
    expect(UserAttrsBody.safeParse({}).success).toBe(false);
    expect(UserAttrsBody.safeParse(JSON.parse('{"attributes":{"__proto__":"x"}}')).success).toBe(false);
    expect(ChannelAttrsBody.safeParse({ attributes: { a: '1' }, enableNotificationToChannelMembers: true }).success).toBe(true);
    expect(ChannelAttrsBody.safeParse({ attributes: { a: '1' }, enableNotificationToChannelMembers: 'yes' }).success).toBe(false);
    expect(ChannelAttrsBody.safeParse({ attributes: { a: '1' }, notify: true }).success).toBe(false);
  });

  it('take either comma-separated keys or all=true on DELETE, not both, not neither', () => {
    expect(UserAttrsDeleteQuery.parse({ keys: 'a,b' })).toEqual({ keys: ['a', 'b'] });
    expect(UserAttrsDeleteQuery.parse({ all: 'true' })).toEqual({ all: 'true' });
    expect(UserAttrsDeleteQuery.safeParse({}).success).toBe(false);
    expect(UserAttrsDeleteQuery.safeParse({ keys: 'a', all: 'true' }).success).toBe(false);
    expect(UserAttrsDeleteQuery.safeParse({ all: 'false' }).success).toBe(false);
    expect(UserAttrsDeleteQuery.safeParse({ keys: 'a', enableNotificationToChannelMembers: 'true' }).success).toBe(false);
    expect(ChannelAttrsDeleteQuery.parse({ keys: 'a', enableNotificationToChannelMembers: 'true' })).toEqual({
      keys: ['a'],
      enableNotificationToChannelMembers: 'true',
    });
  });
});
