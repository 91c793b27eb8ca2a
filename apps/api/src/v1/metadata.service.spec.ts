import type { AppId } from '@parley/contracts';
import { ApiError } from '../http/api-error';
import type { Principal } from '../auth/principal';
import type { ServicesClient } from '../clients/services.client';
import type { SharedRateLimits } from '../http/shared-rate-limits';
import { MetadataDeleteQuery, MetadataWriteBody } from './metadata.schemas';
import { MetadataService } from './metadata.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const customer: Principal = { appId, kind: 'customer', credentialId: 'c'.repeat(32) };
const token: Principal = { appId, kind: 'token', uid: 'bot' };
const md = { majorRevision: 9, items: [{ key: 'k', value: 'v', revision: 9, updateTs: 0, authorUserId: '' }] };

function setup() {
  const services = {
    userMetadata: jest.fn().mockResolvedValue(md),
    channelMetadata: jest.fn().mockResolvedValue(md),
    writeUserMetadata: jest.fn().mockResolvedValue({ majorRevision: 10 }),
    writeChannelMetadata: jest.fn().mockResolvedValue({ majorRevision: 11 }),
  };
  const limits = { take: jest.fn() };
  const sut = new MetadataService(services as unknown as ServicesClient, limits as unknown as SharedRateLimits);
  return { sut, services, limits };
}

async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return undefined;
  expect(err).toBeInstanceOf(ApiError);
  return (err as ApiError).status;
}

describe('MetadataService (server API)', () => {
  it('reads a user’s and a channel’s metadata of the caller’s app, counted as queries', async () => {
    const { sut, services, limits } = setup();
    expect(await sut.userMetadata(appId, 'ann', 'r1')).toEqual({ metadata: md, request_id: 'r1' });
    expect(await sut.channelMetadata(appId, 'room', 'r2')).toEqual({ metadata: md, request_id: 'r2' });
    expect(services.userMetadata).toHaveBeenCalledWith({ appId, uid: 'ann' });
    expect(services.channelMetadata).toHaveBeenCalledWith({ appId, ch: 'room' });
    expect(limits.take).toHaveBeenCalledTimes(2);
  });

  it('maps PUT / POST / PATCH to set / add / update with the options, as the acting uid', async () => {
    const { sut, services } = setup();
    const body = MetadataWriteBody.parse({ items: [{ key: 'k', value: 'v', revision: 3 }], majorRevision: 8, enableRecordTs: true, enableRecordUserId: true });
    expect(await sut.writeUser(customer, 'ann', undefined, 'put', body, 'r')).toEqual({ majorRevision: 10, request_id: 'r' });
    await sut.writeUser(customer, 'ann', 'ops', 'post', MetadataWriteBody.parse({ items: [{ key: 'a' }] }), 'r');
    await sut.writeChannel(token, 'room', undefined, 'patch', MetadataWriteBody.parse({ items: [{ key: 'a', value: '1' }] }), 'r');
    expect(services.writeUserMetadata.mock.calls).toEqual([
      [
        {
          appId,
          uid: 'ann',
          op: 'set',
          author: 'server',
          items: [{ key: 'k', value: 'v', revision: 3 }],
          majorRevision: 8,
          recordTs: true,
          recordUserId: true,
        },
      ],
      [{ appId, uid: 'ann', op: 'add', author: 'ops', items: [{ key: 'a' }] }],
    ]);
    expect(services.writeChannelMetadata).toHaveBeenCalledWith({ appId, ch: 'room', op: 'update', author: 'bot', items: [{ key: 'a', value: '1' }] });
  });

  it('maps DELETE to delete of the keys, or clear with all=true, keeping majorRevision', async () => {
    const { sut, services } = setup();
    await sut.deleteUser(customer, 'ann', undefined, MetadataDeleteQuery.parse({ keys: 'a,b', majorRevision: '4' }), 'r');
    await sut.deleteChannel(customer, 'room', undefined, MetadataDeleteQuery.parse({ all: 'true' }), 'r');
    expect(services.writeUserMetadata).toHaveBeenCalledWith({
      appId,
      uid: 'ann',
      op: 'delete',
      author: 'server',
      items: [{ key: 'a' }, { key: 'b' }],
      majorRevision: 4,
    });
    expect(services.writeChannelMetadata).toHaveBeenCalledWith({ appId, ch: 'room', op: 'clear', author: 'server' });
    await sut.deleteUser(customer, 'ann', undefined, MetadataDeleteQuery.parse({ keys: 'a,b', revisions: '7,-1' }), 'r');
    expect(services.writeUserMetadata).toHaveBeenLastCalledWith({
      appId,
      uid: 'ann',
      op: 'delete',
      author: 'server',
      items: [
        { key: 'a', revision: 7 },
        { key: 'b', revision: -1 },
      ],
    });
    for (const revisions of ['7', '7,1,2', 'x,1', '-2,1', '1.5,1', '']) {
      expect(MetadataDeleteQuery.safeParse({ keys: 'a,b', revisions }).success).toBe(false);
    }
    expect(MetadataDeleteQuery.safeParse({ all: 'true', revisions: '1' }).success).toBe(false);
    expect(MetadataDeleteQuery.safeParse({ keys: 'a', all: 'true' }).success).toBe(false);
    expect(MetadataDeleteQuery.safeParse({}).success).toBe(false);
  });

  it('lets an RTM token write only its own uid’s metadata and act only as itself (403), before any service call', async () => {
    const { sut, services } = setup();
    const body = MetadataWriteBody.parse({ items: [] });
    expect(await statusOf(sut.writeUser(token, 'ann', undefined, 'put', body, 'r'))).toBe(403);
    expect(await statusOf(sut.writeChannel(token, 'room', 'ann', 'put', body, 'r'))).toBe(403);
    expect(await statusOf(sut.writeUser(token, 'bot', undefined, 'put', body, 'r'))).toBeUndefined();
    expect(services.writeUserMetadata).toHaveBeenCalledTimes(1);
    expect(services.writeChannelMetadata).not.toHaveBeenCalled();
  });

  it('refuses unknown fields in the body (strict)', () => {
    expect(MetadataWriteBody.safeParse({ items: [], majorRevison: 3 }).success).toBe(false);
    expect(MetadataWriteBody.safeParse({ items: [{ key: 'a', rev: 1 }] }).success).toBe(false);
    expect(MetadataWriteBody.safeParse({ items: [{ key: 'a', revision: -2 }] }).success).toBe(false);
  });
});
