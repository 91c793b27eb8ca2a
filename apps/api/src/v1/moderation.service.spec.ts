import type { AppId, Uid } from '@parley/contracts';
import type { Principal } from '../auth/principal';
import type { ServicesClient } from '../clients/services.client';
import { ApiError } from '../http/api-error';
import type { SharedRateLimits } from '../http/shared-rate-limits';
import { ChannelBanBody, KickBody } from './moderation.schemas';
import { ModerationService } from './moderation.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const customer: Principal = { appId, kind: 'customer', credentialId: 'c'.repeat(32) };
const token: Principal = { appId, kind: 'token', uid: 'mod' };

function setup() {
  const services = {
    kick: jest.fn().mockResolvedValue({ kicked: true, until: 123 }),
    userBan: jest.fn().mockResolvedValue({ until: null }),
    liftUserBan: jest.fn().mockResolvedValue({ lifted: true }),
    banFromChannel: jest.fn().mockResolvedValue({ removed: false, until: 456 }),
    liftChannelBan: jest.fn().mockResolvedValue({ lifted: false }),
    channelBans: jest.fn().mockResolvedValue({ bans: [{ uid: 'x', until: 9 }], next: null }),
  };
  const limits = { take: jest.fn() };
  const sut = new ModerationService(services as unknown as ServicesClient, limits as unknown as SharedRateLimits);
  return { sut, services, limits };
}

describe('ModerationService', () => {
  it('kicks with the ban and reason given (a plain kick bans for 0 s), within the query rate', async () => {
    const { sut, services, limits } = setup();
    await expect(sut.kick(customer, 'kim', { banSeconds: 60, reason: 'spam' }, 'r1')).resolves.toEqual({ kicked: true, until: 123, request_id: 'r1' });
    await sut.kick(customer, 'kim', {}, 'r2');
    expect(services.kick.mock.calls).toEqual([
      [{ appId, uid: 'kim', banSeconds: 60, reason: 'spam' }],
      [{ appId, uid: 'kim', banSeconds: 0, reason: undefined }],
    ]);
    expect(limits.take).toHaveBeenCalledWith('query', appId);
  });

  it('answers the ban state, lifts, bans from a channel and lists bans', async () => {
    const { sut, services } = setup();
    await expect(sut.userBan(customer, 'kim', 'r')).resolves.toEqual({ banned: false, until: null, request_id: 'r' });
    services.userBan.mockResolvedValueOnce({ until: 77 });
    await expect(sut.userBan(customer, 'kim', 'r')).resolves.toEqual({ banned: true, until: 77, request_id: 'r' });
    await expect(sut.liftUserBan(customer, 'kim', 'r')).resolves.toEqual({ lifted: true, request_id: 'r' });
    await expect(sut.banFromChannel(customer, 'hall', { uid: 'bob' as Uid, seconds: 30 }, 'r')).resolves.toEqual({
      uid: 'bob',
      removed: false,
      until: 456,
      request_id: 'r',
    });
    expect(services.banFromChannel).toHaveBeenCalledWith({ appId, ch: 'hall', uid: 'bob', seconds: 30 });
    await expect(sut.liftChannelBan(customer, 'hall', 'bob', 'r')).resolves.toEqual({ lifted: false, request_id: 'r' });
    await expect(sut.channelBans(customer, 'hall', {}, 'r')).resolves.toEqual({ bans: [{ uid: 'x', until: 9 }], next: null, request_id: 'r' });
    expect(services.channelBans).toHaveBeenCalledWith({ appId, ch: 'hall', limit: 100, after: undefined });
  });

  it('refuses an RTM token (403) before asking any service', async () => {
    const { sut, services, limits } = setup();
    for (const call of [
      () => sut.kick(token, 'kim', {}, 'r'),
      () => sut.userBan(token, 'mod', 'r'),
      () => sut.liftUserBan(token, 'mod', 'r'),
      () => sut.banFromChannel(token, 'hall', { uid: 'bob' as Uid, seconds: 1 }, 'r'),
      () => sut.liftChannelBan(token, 'hall', 'bob', 'r'),
      () => sut.channelBans(token, 'hall', {}, 'r'),
    ]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(403);
    }
    expect(Object.values(services).every((fn) => fn.mock.calls.length === 0)).toBe(true);
    expect(limits.take).not.toHaveBeenCalled();
  });

  it('validates bodies: ranges, lengths, unknown fields', () => {
    expect(KickBody.safeParse({}).success).toBe(true);
    expect(KickBody.safeParse({ banSeconds: 31_536_000, reason: 'r'.repeat(256) }).success).toBe(true);
    expect(KickBody.safeParse({ banSeconds: 31_536_001 }).success).toBe(false);
    expect(KickBody.safeParse({ banSeconds: -1 }).success).toBe(false);
    expect(KickBody.safeParse({ reason: 'r'.repeat(257) }).success).toBe(false);
    expect(KickBody.safeParse({ ban: 5 }).success).toBe(false);
    expect(ChannelBanBody.safeParse({ uid: 'bob', seconds: 1 }).success).toBe(true);
    expect(ChannelBanBody.safeParse({ uid: 'bob', seconds: 0 }).success).toBe(false);
    expect(ChannelBanBody.safeParse({ uid: ' bob', seconds: 5 }).success).toBe(false);
    expect(ChannelBanBody.safeParse({ seconds: 5 }).success).toBe(false);
  });
});
