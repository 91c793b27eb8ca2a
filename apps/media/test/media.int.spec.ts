import { randomBytes } from 'node:crypto';
import { ErrorCode, MEDIA_LIMITS } from '@parley/contracts';
import { MediaUploadKind, Subjects, type MediaBeginReply } from '@parley/contracts/internal';
import { waitFor } from '@parley/testing';
import { bmp, gif, jpeg, png } from './images';
import { MediaHarness, newAppId, rejection, type MediaReplica } from './media-harness';

/**
 * "Medium" test of the media service as it runs (AppModule on NATS, two replicas in its queue group)
 * against the real Postgres, NATS and an s3rver, asked through the ServiceClient a gateway uses.
 */
describe('media service (Postgres, NATS, S3)', () => {
  let h: MediaHarness;
  let a: MediaReplica;
  let b: MediaReplica;

  /** The replica that holds this upload, and the other one. */
  const owner = (begun: MediaBeginReply) => (begun.subject === a.subject ? a : b);

  beforeAll(async () => {
    h = await MediaHarness.start({ createBucket: false });
    a = await h.replica({ MEDIA_UPLOAD_IDLE_MS: '400' });
    b = await h.replica({ MEDIA_UPLOAD_IDLE_MS: '400' });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('creates its bucket, answers its ping and begins uploads with a replica-specific subject', async () => {
    expect(await h.minio.bucketExists(h.s3.bucket)).toBe(true);
    expect(await h.client.request(Subjects.ping('media'), {})).toMatchObject({ service: 'media' });
    const begun = await h.begin({ size: 10 });
    expect(begun.uploadId).toMatch(/^[0-9a-f]{24}$/);
    expect([a.subject, b.subject]).toContain(begun.subject);
    expect(a.subject).not.toBe(b.subject);
    await h.cancel(begun);
  });

  it('refuses an empty file, one over 30 MB and bad requests at begin', async () => {
    expect(await rejection(h.begin({ size: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.begin({ size: -5 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.begin({ size: MEDIA_LIMITS.MAX_BYTES + 1 }))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(h.begin({ size: 10, type: 'TEXT' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.begin({ size: 10, name: 'n'.repeat(513) }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.begin({ size: 10, uid: '' }))).toBe(ErrorCode.INVALID_USER_ID);
    expect(await rejection(h.begin({ size: 10, appId: 'nope' as never }))).toBe(ErrorCode.INVALID_APP_ID);
    const atLimit = await h.begin({ size: MEDIA_LIMITS.MAX_BYTES });
    await h.cancel(atLimit);
    expect(a.uploads.size + b.uploads.size).toBe(0);
  });

  it('stores the bytes and gives them back through read ranges; info and the row agree', async () => {
    const bytes = randomBytes(700_001);
    const before = Date.now();
    const info = await h.uploadBytes(bytes, { name: 'report.pdf' });
    expect(info).toEqual({
      mediaId: expect.stringMatching(/^[0-9a-f]{32}$/),
      size: 700_001,
      name: 'report.pdf',
      type: 'FILE',
      width: 0,
      height: 0,
      expiresAt: expect.any(Number),
    });
    const week = 7 * 24 * 60 * 60 * 1000;
    expect(info.expiresAt - before).toBeGreaterThan(week - 10_000);
    expect(info.expiresAt - before).toBeLessThan(week + 10_000);
    expect(await h.info(info.mediaId)).toEqual(info);

    const stat = await h.minio.statObject(h.s3.bucket, `${h.appId}/${info.mediaId}`);
    expect(stat.size).toBe(700_001);
    expect(stat.metaData['content-type']).toBe('application/pdf');
    expect(Buffer.from(await h.readAll(info.mediaId, info.size)).equals(bytes)).toBe(true);
    // Odd ranges, a range clamped to the end and to the read limit.
    expect(Buffer.from(await h.read(info.mediaId, 12_345, 1_000)).equals(bytes.subarray(12_345, 13_345))).toBe(true);
    expect(Buffer.from(await h.read(info.mediaId, 700_000, 50))).toEqual(bytes.subarray(700_000));
    expect((await h.read(info.mediaId, 0, 10_000_000)).length).toBe(MEDIA_LIMITS.READ_BYTES);
    expect(await rejection(h.read(info.mediaId, 700_001, 10))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.read(info.mediaId, -1, 10))).toBe(ErrorCode.INVALID_ARGUMENT);

    const [row] = await h.prisma.$queryRaw<{ owner_uid: string; object_key: string; size: bigint; content_type: string }[]>`
      SELECT owner_uid, object_key, size, content_type FROM media WHERE id = ${info.mediaId}`;
    expect(row).toEqual({ owner_uid: 'alice', object_key: `${h.appId}/${info.mediaId}`, size: 700_001n, content_type: 'application/pdf' });
  });

  it("answers MEDIA_NOT_FOUND for another app's media and for unknown ids", async () => {
    const info = await h.uploadBytes(randomBytes(100));
    const other = newAppId();
    expect(await rejection(h.info(info.mediaId, other))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    expect(await rejection(h.read(info.mediaId, 0, 10, other))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    expect(await rejection(h.info('0'.repeat(32)))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    expect(await rejection(h.read('0'.repeat(32), 0, 10))).toBe(ErrorCode.MEDIA_NOT_FOUND);
    // The object vanished (e.g. the bucket's lifecycle rule) while the row remains.
    await h.minio.removeObject(h.s3.bucket, `${h.appId}/${info.mediaId}`);
    expect(await rejection(h.read(info.mediaId, 0, 10))).toBe(ErrorCode.MEDIA_NOT_FOUND);
  });

  it('measures PNG, GIF, BMP and JPEG images, and not FILEs', async () => {
    const cases = [
      { name: 'a.png', bytes: png(7, 3), w: 7, h: 3 },
      { name: 'a.gif', bytes: gif(9, 4), w: 9, h: 4 },
      { name: 'a.bmp', bytes: bmp(5, 6), w: 5, h: 6 },
      { name: 'a.jpg', bytes: jpeg(17, 9), w: 17, h: 9 },
      // Chunks of 1 KB: the header spans several chunks.
      { name: 'big.jpg', bytes: jpeg(1920, 1080, 100_000), w: 1920, h: 1080, chunkBytes: 1024 },
    ];
    for (const c of cases) {
      const info = await h.uploadBytes(c.bytes, { type: 'IMAGE', name: c.name, chunkBytes: c.chunkBytes });
      expect([c.name, info.width, info.height, info.type]).toEqual([c.name, c.w, c.h, 'IMAGE']);
      expect(await h.info(info.mediaId)).toMatchObject({ width: c.w, height: c.h });
    }
    const file = await h.uploadBytes(png(7, 3), { type: 'FILE', name: 'a.png' });
    expect([file.width, file.height]).toEqual([0, 0]);
    const notImage = await h.uploadBytes(randomBytes(2_000), { type: 'IMAGE', name: 'x.png' });
    expect([notImage.width, notImage.height]).toEqual([0, 0]);
  });

  it('measures an image from its first 512 KB only (a frame header past them gives 0×0)', async () => {
    const near = jpeg(800, 600, 500_000);
    const far = jpeg(800, 600, 530_000);
    expect((await h.uploadBytes(near, { type: 'IMAGE' })).width).toBe(800);
    expect(await h.uploadBytes(far, { type: 'IMAGE' })).toMatchObject({ width: 0, height: 0, size: far.length });
  });

  it('cancel mid-upload leaves no object and no row; the upload id is then unknown', async () => {
    const appId = newAppId();
    const begun = await h.begin({ appId, size: 300_000 });
    await h.chunk(begun, 0, randomBytes(100_000), appId);
    await h.chunk(begun, 1, randomBytes(100_000), appId);
    expect(owner(begun).uploads.size).toBe(1);
    // Another app cannot cancel it.
    expect(await h.cancel(begun, newAppId())).toBeNull();
    expect(owner(begun).uploads.size).toBe(1);
    expect(await h.cancel(begun, appId)).toBeNull();
    expect(owner(begun).uploads.size).toBe(0);
    expect(await h.objects(`${appId}/`)).toEqual([]);
    expect(await h.rowCount(appId)).toBe(0);
    expect(await rejection(h.chunk(begun, 2, randomBytes(100_000), appId))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.end(begun, appId))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await h.cancel(begun, appId)).toBeNull(); // unknown ids are ignored
  });

  it('cancel after parts went to S3 (multipart) leaves no object either', async () => {
    const appId = newAppId();
    const size = 12 * 1024 * 1024;
    const begun = await h.begin({ appId, size });
    const chunk = randomBytes(MEDIA_LIMITS.CHUNK_BYTES);
    for (let seq = 0; seq < 120; seq++) await h.chunk(begun, seq, chunk, appId); // 5.6 MiB: part 1 sent
    expect(await h.cancel(begun, appId)).toBeNull();
    expect(await h.objects(`${appId}/`)).toEqual([]);
    expect(await h.rowCount(appId)).toBe(0);
  });

  it('aborts on a wrong sequence number, too many bytes, an early END or bad data', async () => {
    const appId = newAppId();
    const wrongSeq = await h.begin({ appId, size: 100 });
    await h.chunk(wrongSeq, 0, randomBytes(10), appId);
    expect(await rejection(h.chunk(wrongSeq, 2, randomBytes(10), appId))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.chunk(wrongSeq, 1, randomBytes(10), appId))).toBe(ErrorCode.INVALID_ARGUMENT); // aborted

    const tooMany = await h.begin({ appId, size: 100 });
    await h.chunk(tooMany, 0, randomBytes(60), appId);
    expect(await rejection(h.chunk(tooMany, 1, randomBytes(41), appId))).toBe(ErrorCode.SIZE_OVERFLOW);
    expect(await rejection(h.end(tooMany, appId))).toBe(ErrorCode.INVALID_ARGUMENT); // aborted

    const early = await h.begin({ appId, size: 100 });
    await h.chunk(early, 0, randomBytes(99), appId);
    expect(await rejection(h.end(early, appId))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(h.chunk(early, 1, randomBytes(1), appId))).toBe(ErrorCode.INVALID_ARGUMENT); // aborted

    const badData = await h.begin({ appId, size: 100 });
    const send = (seq: number, data: unknown) =>
      h.send(badData.subject, { kind: MediaUploadKind.CHUNK, uploadId: badData.uploadId, appId, seq, data: data as Uint8Array });
    expect(await rejection(send(0, 'text'))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejection(send(0, new Uint8Array(1)))).toBe(ErrorCode.INVALID_ARGUMENT); // aborted

    expect(a.uploads.size + b.uploads.size).toBe(0);
    expect(await h.objects(`${appId}/`)).toEqual([]);
    expect(await h.rowCount(appId)).toBe(0);
  });

  it("another app's chunks are refused without touching the upload", async () => {
    const begun = await h.begin({ size: 20 });
    expect(await rejection(h.chunk(begun, 0, randomBytes(10), newAppId()))).toBe(ErrorCode.INVALID_ARGUMENT);
    await h.chunk(begun, 0, randomBytes(10));
    await h.chunk(begun, 1, randomBytes(10));
    expect((await h.end(begun)).size).toBe(20);
  });

  it('aborts an upload that receives nothing for MEDIA_UPLOAD_IDLE_MS', async () => {
    const appId = newAppId();
    const begun = await h.begin({ appId, size: 100 });
    await h.chunk(begun, 0, randomBytes(10), appId);
    await waitFor(() => owner(begun).uploads.size === 0, { what: 'idle abort', timeoutMs: 3_000 });
    expect(await rejection(h.chunk(begun, 1, randomBytes(10), appId))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await h.objects(`${appId}/`)).toEqual([]);
  });

  it('keeps an upload on the replica that began it; any replica serves info and reads', async () => {
    const seen = new Set<string>();
    const begun: MediaBeginReply[] = [];
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const one = await h.begin({ size: 3 });
      begun.push(one);
      seen.add(one.subject);
    }
    expect(seen).toEqual(new Set([a.subject, b.subject])); // the queue group spreads begins
    for (const one of begun) {
      const other = owner(one) === a ? b : a;
      // The other replica does not know it, and does not abort it.
      expect(await rejection(h.chunk({ ...one, subject: other.subject }, 0, Buffer.from('abc')))).toBe(ErrorCode.INVALID_ARGUMENT);
      await h.chunk(one, 0, Buffer.from('abc'));
      const info = await h.end(one);
      for (let i = 0; i < 4; i++) expect(Buffer.from(await h.read(info.mediaId, 0, 3)).toString()).toBe('abc');
    }
  });

  it('aborts uploads in progress when a replica shuts down', async () => {
    const extra = await h.replica();
    const appId = newAppId();
    let begun: MediaBeginReply | undefined;
    for (let i = 0; i < 60 && begun?.subject !== extra.subject; i++) {
      if (begun) await h.cancel(begun, appId);
      begun = await h.begin({ appId, size: 100 });
    }
    expect(begun!.subject).toBe(extra.subject);
    await h.chunk(begun!, 0, randomBytes(50), appId);
    expect(extra.uploads.size).toBe(1);
    await extra.close();
    expect(extra.uploads.size).toBe(0);
    expect(await rejection(h.chunk(begun!, 1, randomBytes(50), appId))).toBe(ErrorCode.UNAVAILABLE); // nobody listens
    expect(await h.objects(`${appId}/`)).toEqual([]);
    expect(await h.rowCount(appId)).toBe(0);
  });
});
