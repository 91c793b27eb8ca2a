import { AppEventsRetention } from '@parley/platform';
import { randomBytes } from 'node:crypto';
import { readMediaConfig } from '../src/config/media.config';
import { png } from './images';
import { MediaHarness, newAppId, type MediaReplica } from './media-harness';

/**
 * "Medium" test of the media service's part of the event record (kind `media`, type `Uploaded`):
 * written by the statement that stores the media's row, one per stored media; and deleted
 * EVENTS_RETENTION_MS after it happened. Against the real Postgres (the harness's copy of
 * `app_events`), NATS and an s3rver.
 */
describe('media events (Postgres, NATS, S3)', () => {
  let h: MediaHarness;
  let replica: MediaReplica;

  beforeAll(async () => {
    h = await MediaHarness.start();
    replica = await h.replica();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('records one Uploaded per stored file or image, with its metadata, and none for a canceled upload', async () => {
    const appId = newAppId();
    const before = Date.now();
    const file = await h.uploadBytes(randomBytes(70_001), { appId, name: 'report.pdf', uid: 'alice' });
    const image = await h.uploadBytes(png(7, 3), { appId, type: 'IMAGE', name: 'cat.png', uid: 'bob' });
    const canceled = await h.begin({ appId, size: 10, name: 'never.bin' });
    await h.cancel(canceled, appId);

    const events = await h.events(appId);
    expect(events).toEqual([
      {
        kind: 'media',
        type: 'Uploaded',
        uid: 'alice',
        channel_id: null,
        ts: expect.any(Number),
        detail: { id: file.mediaId, size: 70_001, type: 'FILE', name: 'report.pdf', contentType: 'application/pdf', width: 0, height: 0 },
      },
      {
        kind: 'media',
        type: 'Uploaded',
        uid: 'bob',
        channel_id: null,
        ts: expect.any(Number),
        detail: { id: image.mediaId, size: image.size, type: 'IMAGE', name: 'cat.png', contentType: 'image/png', width: 7, height: 3 },
      },
    ]);
    for (const e of events) expect(Math.abs(e.ts - before)).toBeLessThan(10_000);
    expect(events[1]!.ts).toBeGreaterThanOrEqual(events[0]!.ts);
    expect(await h.rowCount(appId)).toBe(2);
  });

  it('retention deletes only media events older than EVENTS_RETENTION_MS, in batches', async () => {
    const config = readMediaConfig(h.env({ EVENTS_RETENTION_MS: '60000' }));
    const service = new AppEventsRetention(h.prisma, { kind: 'media', retentionMs: config.EVENTS_RETENTION_MS, intervalMs: config.EVENTS_SWEEP_MS });
    const appId = newAppId();
    await h.prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, ts)
      SELECT ${appId}, k.kind, k.type, 'old-' || g, now() - interval '61 seconds'
      FROM (VALUES ('media', 'Uploaded'), ('user', 'Login'), ('channel', 'Join'), ('invite', 'Ended')) AS k(kind, type), generate_series(1, 3) AS g`;
    await h.prisma.$executeRaw`
      INSERT INTO app_events (app_id, kind, type, uid, ts)
      SELECT ${appId}, k.kind, k.type, 'recent', now() - interval '50 seconds'
      FROM (VALUES ('media', 'Uploaded'), ('invite', 'Ended')) AS k(kind, type)`;
    const fresh = await h.uploadBytes(randomBytes(10), { appId, name: 'new.txt' });
    const left = async () => (await h.events(appId)).map((e) => `${e.kind}:${e.uid}`).sort();

    expect(await service.deleteExpired(2)).toBe(2); // one batch
    expect((await left()).filter((k) => k.startsWith('media:old-'))).toHaveLength(1);
    expect(await service.sweep()).toBe(1);
    expect(await service.sweep()).toBe(0);
    expect(await left()).toEqual([
      'channel:old-1',
      'channel:old-2',
      'channel:old-3',
      'invite:old-1',
      'invite:old-2',
      'invite:old-3',
      'invite:recent',
      'media:alice',
      'media:recent',
      'user:old-1',
      'user:old-2',
      'user:old-3',
    ]);
    expect((await h.events(appId)).find((e) => e.uid === 'alice')!.detail).toMatchObject({ id: fresh.mediaId });
    // the replica's own sweeper (started with the app) deletes the same way
    expect(await replica.app.get(AppEventsRetention).sweep()).toBe(0);
  });
});
