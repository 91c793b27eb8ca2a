import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@parley/contracts';
import { waitFor } from '@parley/testing';
import { MediaHarness, newAppId, rejection } from './media-harness';

/** Expiry: rows past their TTL are not served, and the sweepers delete them and their objects. */
describe('media expiry (Postgres, NATS, S3)', () => {
  let h: MediaHarness;

  beforeAll(async () => {
    h = await MediaHarness.start();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('with a short TTL, the sweeper removes the row and the object', async () => {
    const replica = await h.replica({ MEDIA_TTL_MS: '1500', MEDIA_EXPIRY_SWEEP_MS: '100' });
    const appId = newAppId();
    const before = Date.now();
    const info = await h.uploadBytes(randomBytes(1_000), { appId });
    expect(info.expiresAt - before).toBeGreaterThanOrEqual(1_000);
    expect(info.expiresAt - before).toBeLessThan(3_000);
    expect(await h.info(info.mediaId, appId)).toEqual(info);
    expect(await h.objects(`${appId}/`)).toHaveLength(1);
    await waitFor(async () => (await h.rowCount(appId)) === 0, { what: 'expired row deleted', timeoutMs: 8_000 });
    await waitFor(async () => (await h.objects(`${appId}/`)).length === 0, { what: 'expired object removed', timeoutMs: 3_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(info.expiresAt - 50);
    expect(await rejection(h.info(info.mediaId, appId))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    await replica.close();
  });

  it('an expired media is not served even before a sweep deletes it', async () => {
    const replica = await h.replica({ MEDIA_TTL_MS: '300', MEDIA_EXPIRY_SWEEP_MS: '3600000' });
    const appId = newAppId();
    const info = await h.uploadBytes(randomBytes(100), { appId });
    expect(Buffer.from(await h.read(info.mediaId, 0, 100, appId))).toHaveLength(100);
    await waitFor(() => Date.now() > info.expiresAt + 50, { what: 'expiry' });
    expect(await rejection(h.info(info.mediaId, appId))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    expect(await rejection(h.read(info.mediaId, 0, 100, appId))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    expect(await h.rowCount(appId)).toBe(1);
    expect(await replica.expiry.sweep()).toBe(1);
    expect(await h.rowCount(appId)).toBe(0);
    expect(await h.objects(`${appId}/`)).toEqual([]);
    await replica.close();
  });

  it('replicas sweeping at once delete each expired media exactly once', async () => {
    const [r1, r2] = [await h.replica({ MEDIA_EXPIRY_SWEEP_MS: '3600000' }), await h.replica({ MEDIA_EXPIRY_SWEEP_MS: '3600000' })];
    const appId = newAppId();
    const count = 1_200; // more than one sweep batch
    const keys = Array.from({ length: count }, (_, i) => `${appId}/${i.toString(16).padStart(32, '0')}`);
    for (let i = 0; i < count; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((key) => h.minio.putObject(h.s3.bucket, key, Buffer.from('x'), 1)));
    }
    await h.prisma.$executeRaw`
      INSERT INTO media (id, app_id, owner_uid, object_key, size, type, expires_at)
      SELECT split_part(k, '/', 2), ${appId}, 'alice', k, 1, 'FILE', now() - interval '1 second' FROM unnest(${keys}::text[]) AS k`;
    const keep = await h.uploadBytes(randomBytes(10), { appId }); // not expired
    const [n1, n2] = await Promise.all([r1.expiry.sweep(), r2.expiry.sweep()]);
    expect(n1 + n2).toBe(count);
    expect(await h.rowCount(appId)).toBe(1);
    expect((await h.objects(`${appId}/`)).map((o) => o.name)).toEqual([`${appId}/${keep.mediaId}`]);
    await r1.close();
    await r2.close();
  });
});
