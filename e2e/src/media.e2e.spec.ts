import { randomBytes } from 'node:crypto';
import { readFile, stat, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, MEDIA_LIMITS, Op } from '@parley/contracts';
import { PrismaService } from '@parley/platform';
import { createTestApp, exitReport, Stack, startTestS3, testDatabaseUrl, waitFor, WireClient, type TestApp, type TestS3 } from '@parley/testing';
import { Client as S3Client } from 'minio';
import { logoutAll, newClient, type RtmClient } from './support/clients';
import { FAST_TIMERS } from './support/timers';

const MB = 1024 * 1024;

/** Smallest headers image-size reads, with the given dimensions (the rest of the "image" is padding). */
function png(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(w, 8);
  ihdr.writeUInt32BE(h, 12);
  ihdr[16] = 8;
  ihdr[17] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}
function gif(w: number, h: number): Buffer {
  const b = Buffer.alloc(64);
  b.write('GIF89a', 0, 'ascii');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
}
function bmp(w: number, h: number): Buffer {
  const b = Buffer.alloc(80);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(80, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}
function jpeg(w: number, h: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9]), Buffer.alloc(32)]);
}

/** VmRSS of a process, bytes; undefined once it is gone (a sampler must not throw: an uncaught throw in a timer takes the test worker down). */
function rss(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? undefined : Number(line.replace(/\D+/g, '')) * 1024;
  } catch {
    return undefined;
  }
}

async function objectCount(s3: TestS3): Promise<number> {
  const client = new S3Client({
    endPoint: '127.0.0.1',
    port: Number(new URL(s3.endpoint).port),
    useSSL: false,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
  });
  let n = 0;
  for await (const _ of client.listObjectsV2(s3.bucket, '', true)) n++;
  return n;
}

/** Files and images through the SDK over two gateways and two media replicas, on a real S3 server. */
describe('files and images', () => {
  let s3: TestS3;
  let stack: Stack;
  let app: TestApp;
  let gw: string[];
  let prisma: PrismaService;
  const rows = async (appId: string) => Number((await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM media WHERE app_id = ${appId}`)[0]!.n);

  beforeAll(async () => {
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 2, presence: 2, channel: 2, media: 2 },
      env: FAST_TIMERS,
      appEnv: { media: s3.env },
      // A small young generation, so garbage awaiting a scavenge cannot pass for held bytes in the RSS test below.
      nodeFlags: { media: ['--max-semi-space-size=1'] },
    });
    gw = stack.gatewayUrls;
    app = await createTestApp();
    prisma = new PrismaService(testDatabaseUrl());
  });

  afterEach(() => logoutAll());
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    await prisma?.$disconnect();
  });

  async function two(a: string, b: string): Promise<[RtmClient, RtmClient]> {
    const [x, y] = [newClient(app.appId, gw[0]!), newClient(app.appId, gw[1]!)];
    await Promise.all([x.login({ uid: a }), y.login({ uid: b })]);
    return [x, y];
  }

  it('sends a file message to a peer on the other gateway, who downloads the same bytes', async () => {
    const [alice, bob] = await two('alice', 'bob');
    const bytes = randomBytes(MB + 12_345);
    const thumb = randomBytes(2_000);
    const message = await alice.createMediaMessageByUploading(new Blob([bytes]), { fileName: 'report.bin', description: 'the report', thumbnail: thumb });
    expect(message).toMatchObject({ messageType: 'FILE', size: bytes.length, fileName: 'report.bin', description: 'the report' });
    expect(message.mediaId).toEqual(expect.any(String));

    const got = new Promise<[Record<string, unknown>, string]>((resolve) =>
      bob.on('MessageFromPeer', (m, from) => resolve([m as unknown as Record<string, unknown>, from])),
    );
    expect(await alice.sendMessageToPeer(message, 'bob')).toMatchObject({ hasPeerReceived: true });
    const [received, from] = await got;
    expect(from).toBe('alice');
    expect(received).toMatchObject({ messageType: 'FILE', mediaId: message.mediaId, size: bytes.length, fileName: 'report.bin', description: 'the report' });
    const receivedThumb = received['thumbnail'] as Blob;
    expect(Buffer.from(await receivedThumb.arrayBuffer())).toEqual(thumb);

    const downloaded = await bob.downloadMediaToMemory(message.mediaId);
    expect(Buffer.from(downloaded).equals(bytes)).toBe(true);
    const blob = await bob.downloadMedia(message.mediaId);
    expect(blob.size).toBe(bytes.length);

    const dir = await mkdtemp(join(tmpdir(), 'parley-dl-'));
    try {
      await bob.downloadMediaToFile(message.mediaId, join(dir, 'copy.bin'));
      expect((await readFile(join(dir, 'copy.bin'))).equals(bytes)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const rebuilt = await bob.createFileMessageByMediaId(message.mediaId);
    expect(rebuilt).toMatchObject({ messageType: 'FILE', mediaId: message.mediaId, size: bytes.length, fileName: 'report.bin' });
  });

  it.each([
    ['PNG', png(640, 480), 640, 480],
    ['JPEG', jpeg(1024, 768), 1024, 768],
    ['BMP', bmp(32, 16), 32, 16],
    ['GIF', gif(300, 200), 300, 200],
  ])('computes the width and height of a %s image, and the sender’s values win', async (_kind, bytes, w, h) => {
    const [carol, dave] = await two(`carol-${_kind}`, `dave-${_kind}`);
    const image = await carol.createImageMessageByUploading(new Uint8Array(bytes), { fileName: `pic.${_kind.toLowerCase()}` });
    expect(image).toMatchObject({ messageType: 'IMAGE', width: w, height: h, size: bytes.length });
    const rebuilt = await dave.createImageMessageByMediaId(image.mediaId);
    expect(rebuilt).toMatchObject({ messageType: 'IMAGE', width: w, height: h });
    const overridden = await carol.createMediaMessageByUploading(new Uint8Array(bytes), { messageType: 'IMAGE', width: 7, height: 9 });
    expect(overridden).toMatchObject({ width: 7, height: 9 });
  });

  it('sends an image message to a channel on both gateways', async () => {
    const [erin, fay] = await two('erin', 'fay');
    const [chA, chB] = [erin.createChannel('gallery'), fay.createChannel('gallery')];
    await Promise.all([chA.join(), chB.join()]);
    const got = new Promise<Record<string, unknown>>((resolve) => chB.on('ChannelMessage', (m) => resolve(m as unknown as Record<string, unknown>)));
    const image = await erin.createImageMessageByUploading(png(10, 20), { description: 'sunset' });
    await chA.sendMessage(image);
    expect(await got).toMatchObject({ messageType: 'IMAGE', mediaId: image.mediaId, width: 10, height: 20, description: 'sunset' });
  });

  it('accepts 30 MB with progress, refuses 30 MB + 1 and empty files', async () => {
    const [gil] = await two('gil', 'gil-peer');
    const progress: Array<{ currentSize: number; totalSize: number }> = [];
    const big = randomBytes(MEDIA_LIMITS.MAX_BYTES);
    const message = await gil.createMediaMessageByUploading(new Blob([big]), { fileName: 'big.bin' }, { onOperationProgress: (p) => progress.push(p) });
    expect(message.size).toBe(MEDIA_LIMITS.MAX_BYTES);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.totalSize).toBe(MEDIA_LIMITS.MAX_BYTES);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.currentSize).toBeGreaterThanOrEqual(progress[i - 1]!.currentSize);
    const back = await gil.downloadMediaToMemory(message.mediaId);
    expect(Buffer.from(back).equals(big)).toBe(true);

    const objects = await objectCount(s3);
    await expect(gil.createMediaMessageByUploading(new Uint8Array(MEDIA_LIMITS.MAX_BYTES + 1))).rejects.toMatchObject({ code: 3 });
    await expect(gil.createMediaMessageByUploading(new Uint8Array(0))).rejects.toMatchObject({ code: 2 });
    const wire = await WireClient.login(gw[1]!, app.appId, 'wired');
    expect((await wire.request(Op.MEDIA_UPLOAD_BEGIN, { size: MEDIA_LIMITS.MAX_BYTES + 1, type: 'FILE' }))[0]).toBe(ErrorCode.SIZE_OVERFLOW);
    expect((await wire.request(Op.MEDIA_UPLOAD_BEGIN, { size: 0, type: 'FILE' }))[0]).toBe(ErrorCode.INVALID_ARGUMENT);
    wire.close();
    expect(await objectCount(s3)).toBe(objects);
  });

  it('keeps media-service memory flat while six 30 MB files move at once (streamed, never held whole)', async () => {
    // 180 MB of random bytes take a while to make: made before the login, so no session waits on them.
    const files = Array.from({ length: 6 }, () => randomBytes(MEDIA_LIMITS.MAX_BYTES));
    const [lou] = await two('lou', 'lou-peer');
    const media = stack.processes.filter((p) => p.app === 'media');
    const before = media.map((p) => rss(p.child.pid!)!);
    const peak = before.slice();
    const sample = () => media.forEach((p, i) => (peak[i] = Math.max(peak[i]!, rss(p.child.pid!) ?? 0)));
    const sampler = setInterval(sample, 50);
    const started = Date.now();
    const uploads = Promise.all(files.map((f, i) => lou.createFileMessageByUploading(new Blob([f]), { fileName: `f${i}` })));
    const sent = await uploads
      .catch((e: unknown) => {
        throw new Error(`the uploads failed: ${String(e)}\n${media.map(exitReport).filter(Boolean).join('\n')}`);
      })
      .finally(() => clearInterval(sampler));
    const seconds = (Date.now() - started) / 1000;
    expect(media.map(exitReport).filter(Boolean)).toEqual([]);
    const growth = peak.map((p, i) => p - before[i]!);
    console.log(
      `6 × 30 MB uploads at once: ${seconds.toFixed(1)} s (${((6 * 30) / seconds).toFixed(1)} MB/s); media replicas RSS before ` +
        `${before.map((b) => (b / MB).toFixed(0)).join(' / ')} MB, peak growth ${growth.map((g) => (g / MB).toFixed(1)).join(' / ')} MB`,
    );
    expect(sent.map((m) => m.size)).toEqual(Array(6).fill(MEDIA_LIMITS.MAX_BYTES));
    // Holding the files whole would take 180 MB across the replicas (all six are open at once); streamed, each holds
    // at most one 5 MiB part, and the small young generation keeps garbage awaiting a scavenge to a few MB.
    expect(growth.reduce((a, b) => a + b, 0)).toBeLessThan(120 * MB);
  }, 180_000); // 180 MB through two gateways, two media replicas and S3 on a box shared with the rest of the suite

  it('cancels an upload and a download mid-way, leaving no object, no row and no partial file', async () => {
    const [hal, ida] = await two('hal', 'ida');
    const rowsBefore = await rows(app.appId);
    const objects = await objectCount(s3);
    const controller = new AbortController();
    const upload = hal.createFileMessageByUploading(new Blob([randomBytes(30 * MB)]), { requestId: 'up-1', cancelSignal: controller.signal });
    await new Promise((r) => setTimeout(r, 300)); // a 30 MB upload takes over a second here
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: 6 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows(app.appId)).toBe(rowsBefore);
    expect(await objectCount(s3)).toBe(objects);

    // Cancel by request id, native style.
    const second = hal.createFileMessageByUploading(new Blob([randomBytes(30 * MB)]), { requestId: 'up-2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(hal.cancelMediaUpload('up-2')).toBe(true);
    await expect(second).rejects.toMatchObject({ code: 6 });

    const stored = await hal.createFileMessageByUploading(new Blob([randomBytes(30 * MB)]));
    const dir = await mkdtemp(join(tmpdir(), 'parley-dl-'));
    try {
      const target = join(dir, 'partial.bin');
      const download = ida.downloadMediaToFile(stored.mediaId, target, { requestId: 'down-1' });
      await waitFor(async () => (await stat(target).catch(() => ({ size: 0 }))).size > 0, { what: 'download under way' });
      expect(ida.cancelMediaDownload('down-1')).toBe(true);
      await expect(download).rejects.toMatchObject({ code: 6 });
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses downloads of another app’s media, unknown ids and uploads when logged out', async () => {
    const [jon] = await two('jon', 'jon-peer');
    const mine = await jon.createFileMessageByUploading(new Uint8Array([1, 2, 3]));
    const otherApp = await createTestApp();
    const stranger = newClient(otherApp.appId, gw[1]!);
    await stranger.login({ uid: 'stranger' });
    await expect(stranger.downloadMediaToMemory(mine.mediaId)).rejects.toMatchObject({ code: 7 });
    await expect(stranger.createFileMessageByMediaId(mine.mediaId)).rejects.toMatchObject({ code: 7 });
    await expect(jon.downloadMediaToMemory('0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ code: 7 });
    const loggedOut = newClient(app.appId, gw[0]!);
    await expect(loggedOut.createFileMessageByUploading(new Uint8Array([1]))).rejects.toMatchObject({ code: 102 });
  });
});

/** Media expire after the configured TTL: the service deletes the object and its row itself (s3rver has no lifecycle rules). */
describe('media expiry', () => {
  let s3: TestS3;
  let stack: Stack;
  let app: TestApp;

  beforeAll(async () => {
    s3 = await startTestS3();
    stack = await Stack.start({
      replicas: { gateway: 1, presence: 1, media: 2 },
      env: FAST_TIMERS,
      appEnv: { media: { ...s3.env, MEDIA_TTL_MS: '2000', MEDIA_EXPIRY_SWEEP_MS: '300' } },
    });
    app = await createTestApp();
  });

  afterEach(() => logoutAll());
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('removes the object and the row after the TTL; the id then answers NOT_FOUND', async () => {
    const kim = newClient(app.appId, stack.gatewayUrls[0]!);
    await kim.login({ uid: 'kim' });
    const before = await objectCount(s3);
    const message = await kim.createFileMessageByUploading(new Uint8Array(randomBytes(1000)));
    expect(await objectCount(s3)).toBe(before + 1);
    const prisma = new PrismaService(testDatabaseUrl());
    try {
      expect((await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM media WHERE id = ${message.mediaId}`)[0]!.n).toBe(1n);
      await waitFor(async () => (await objectCount(s3)) === before, { timeoutMs: 8_000, intervalMs: 300, what: 'object removed' });
      await waitFor(async () => (await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM media WHERE id = ${message.mediaId}`)[0]!.n === 0n, {
        what: 'row removed',
      });
    } finally {
      await prisma.$disconnect();
    }
    await expect(kim.downloadMediaToMemory(message.mediaId)).rejects.toMatchObject({ code: 7 });
  });
});
