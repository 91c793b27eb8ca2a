import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ErrorCode, MEDIA_LIMITS, MessageKind, Op, type MediaUploadChunkArgs, type SendPeerArgs } from '@parley/contracts';
import type { MediaOperationProgress, ReceivedMessageProperties, RtmFileMessage, RtmImageMessage, RtmMessage } from '../src';
import { FakeGateway, type FakeConnection } from './fake-gateway';
import { createClient, delay, logoutAll, rejection, useFastTimers, waitFor } from './helpers';

describe('files and images', () => {
  let gw: FakeGateway;
  let tmp: string;

  beforeEach(async () => {
    // Held answers must not time out while a test looks at them; progress ticks every 50 ms.
    useFastTimers({ requestTimeoutMs: 5000, mediaProgressMs: 50 });
    gw = await FakeGateway.start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-media-'));
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function loggedIn(uid = 'alice') {
    const rec = createClient(gw.url);
    await rec.client.login({ uid });
    return { ...rec, conn: gw.last };
  }

  const bytes = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n));
  const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const chunks = (conn: FakeConnection): MediaUploadChunkArgs[] => conn.argsOf<MediaUploadChunkArgs>(Op.MEDIA_UPLOAD_CHUNK);
  const stored = (mediaId: string): Uint8Array => gw.media.store.get(mediaId)!.bytes;
  /** A PNG header of `width` × `height` (enough for the server's size detection). */
  const png = (width: number, height: number, extra = 100): Uint8Array => {
    const b = new Uint8Array(24 + extra);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const view = new DataView(b.buffer);
    view.setUint32(16, width);
    view.setUint32(20, height);
    return b;
  };
  const blobBytes = async (blob: Blob | undefined): Promise<Buffer> => Buffer.from(await blob!.arrayBuffer());

  /** The chunks the gateway got: in order, each `chunkBytes` but the last, reassembled equal to `payload`. */
  function expectChunks(conn: FakeConnection, payload: Uint8Array, chunkBytes: number): void {
    const sent = chunks(conn);
    expect(sent.map((c) => c.seq)).toEqual(sent.map((_, i) => i));
    expect(sent.length).toBe(Math.ceil(payload.byteLength / chunkBytes));
    sent.forEach((c, i) => expect(c.data.byteLength).toBe(i < sent.length - 1 ? chunkBytes : payload.byteLength - chunkBytes * (sent.length - 1)));
    expect(Buffer.concat(sent.map((c) => Buffer.from(c.data))).equals(buf(payload))).toBe(true);
  }

  describe('uploads', () => {
    it('uploads bytes in order as chunks of chunkBytes, at most `window` unanswered, and resolves a file message', async () => {
      const { client, conn } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, window: 3, chunkDelayMs: 3 });
      const payload = bytes(10_500);
      const message = await client.createMediaMessageByUploading(payload, { fileName: 'a.bin', description: 'some bytes' });
      expect(message).toEqual({
        messageType: 'FILE',
        mediaId: expect.any(String),
        size: 10_500,
        fileName: 'a.bin',
        description: 'some bytes',
        thumbnail: undefined,
      });
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toEqual([{ size: 10_500, name: 'a.bin', type: 'FILE' }]);
      expectChunks(conn, payload, 1000);
      expect(gw.media.lastUpload!.maxInFlight).toBe(3); // pipelined, but never more than the window
      expect(conn.argsOf(Op.MEDIA_UPLOAD_END)).toEqual([{ uploadId: gw.media.lastUpload!.uploadId }]);
      expect(buf(stored(message.mediaId)).equals(buf(payload))).toBe(true);
    });

    it('reads a Blob (File) slice by slice, never whole; its name is the default fileName', async () => {
      const { client, conn } = await loggedIn();
      gw.media.chunkBytes = 4096;
      const payload = bytes(50_000);
      const file = new File([payload], 'photo.jpg');
      const slice = jest.spyOn(file, 'slice');
      const whole = jest.spyOn(file, 'arrayBuffer');
      const message = await client.createFileMessageByUploading(file);
      expect(message.fileName).toBe('photo.jpg');
      expectChunks(conn, payload, 4096);
      expect(whole).not.toHaveBeenCalled();
      expect(slice).toHaveBeenCalledTimes(13);
      for (const [start, end] of slice.mock.calls) expect((end ?? 0) - (start ?? 0)).toBeLessThanOrEqual(4096);
      expect(buf(stored(message.mediaId)).equals(buf(payload))).toBe(true);
    });

    it('uploads a file path (fs.stat + read stream) with the file name as default fileName', async () => {
      const { client, conn } = await loggedIn();
      gw.media.chunkBytes = 10_000;
      const payload = bytes(123_456);
      const file = path.join(tmp, 'report.pdf');
      fs.writeFileSync(file, payload);
      const message = await client.createFileMessageByUploading(file, { description: 'Q3' });
      expect(message).toMatchObject({ messageType: 'FILE', size: 123_456, fileName: 'report.pdf', description: 'Q3' });
      expectChunks(conn, payload, 10_000);
      const missing = await rejection(client.createFileMessageByUploading(path.join(tmp, 'nope')));
      expect([missing.name, missing.code]).toEqual(['RtmInvalidArgumentError', 2]);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toHaveLength(1);
    });

    it('uploads a stream of any piece sizes re-cut to chunkBytes; its size is given, or stat-ed for a file stream', async () => {
      const { client, conn } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, window: 2 });
      const payload = bytes(7777);
      const pieces = [payload.subarray(0, 1), payload.subarray(1, 2500), payload.subarray(2500, 2501), payload.subarray(2501)].map((p) => Buffer.from(p));
      const message = await client.createFileMessageByUploading(Readable.from(pieces), { size: 7777, fileName: 's.bin' });
      expect(message.size).toBe(7777);
      expectChunks(conn, payload, 1000);
      expect(gw.media.lastUpload!.maxInFlight).toBeLessThanOrEqual(2);

      const file = path.join(tmp, 'streamed.txt');
      fs.writeFileSync(file, 'héllo world');
      const fromFile = await client.createFileMessageByUploading(fs.createReadStream(file));
      expect(fromFile).toMatchObject({ size: 12, fileName: 'streamed.txt' });
      expect(Buffer.from(stored(fromFile.mediaId)).toString()).toBe('héllo world');
    });

    it('rejects a stream without a size, and one that ends early or runs long (MEDIA_CANCEL sent)', async () => {
      const { client, conn } = await loggedIn();
      gw.media.chunkBytes = 100;
      const noSize = await rejection(client.createFileMessageByUploading(Readable.from([Buffer.alloc(10)])));
      expect([noSize.name, noSize.code]).toEqual(['RtmInvalidArgumentError', 2]);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toHaveLength(0);
      const short = await rejection(client.createFileMessageByUploading(Readable.from([Buffer.alloc(150)]), { size: 300 }));
      expect([short.name, short.code]).toEqual(['RtmInvalidArgumentError', 2]);
      const long = await rejection(client.createFileMessageByUploading(Readable.from([Buffer.alloc(350)]), { size: 300 }));
      expect([long.name, long.code]).toEqual(['RtmInvalidArgumentError', 2]);
      await gw.until(() => gw.media.cancels.length === 2);
      expect([...gw.media.uploads.values()].map((u) => u.state)).toEqual(['canceled', 'canceled']);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_END)).toHaveLength(0);
    });

    it('makes an image message: width / height from the server, or as set; thumbnail and its sizes as given', async () => {
      const { client } = await loggedIn();
      const thumb = new Uint8Array([1, 2, 3, 4]);
      const image = await client.createMediaMessageByUploading(png(640, 480), {
        messageType: 'IMAGE',
        fileName: 'p.png',
        description: 'a picture',
        thumbnail: new Blob([thumb]),
        thumbnailWidth: 4,
        thumbnailHeight: 3,
      });
      expect(image).toEqual({
        messageType: 'IMAGE',
        mediaId: expect.any(String),
        size: 124,
        fileName: 'p.png',
        description: 'a picture',
        thumbnail: expect.any(Blob),
        thumbnailWidth: 4,
        thumbnailHeight: 3,
        width: 640,
        height: 480,
      });
      expect(await blobBytes(image.thumbnail)).toEqual(Buffer.from(thumb));
      expect(gw.media.lastUpload!.type).toBe('IMAGE');
      const set = await client.createImageMessageByUploading(png(640, 480), { width: 64, height: 48, thumbnail: thumb });
      expect(set).toMatchObject({ messageType: 'IMAGE', width: 64, height: 48, thumbnailWidth: 0, thumbnailHeight: 0, fileName: '' });
      expect(await blobBytes(set.thumbnail)).toEqual(Buffer.from(thumb));
      const unknown = await client.createImageMessageByUploading(bytes(10));
      expect([unknown.width, unknown.height]).toEqual([0, 0]);
    });

    it('reports progress about every tick while bytes move, silent while stalled, and a last report when done', async () => {
      const { client } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, holdChunks: true });
      const reports: MediaOperationProgress[] = [];
      const upload = client.createMediaMessageByUploading(bytes(20_000), {}, { onOperationProgress: (p) => reports.push(p) });
      await gw.until(() => gw.media.heldCount === MEDIA_LIMITS.WINDOW);
      await delay(200);
      expect(reports).toEqual([]); // nothing moved yet
      gw.media.release(3);
      await waitFor(() => reports.some((r) => r.currentSize === 3000));
      const n = reports.length; // 1, unless a tick fell between the three answers
      expect(reports[n - 1]).toEqual({ currentSize: 3000, totalSize: 20_000 });
      await delay(250);
      expect(reports).toHaveLength(n); // stalled again: no repeats
      gw.media.holdChunks = false;
      gw.media.release();
      await upload;
      expect(reports[reports.length - 1]).toEqual({ currentSize: 20_000, totalSize: 20_000 });
      const sizes = reports.map((r) => r.currentSize);
      expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
    });

    it('spaces progress reports by the progress interval on a steady upload', async () => {
      const { client } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, chunkDelayMs: 10 });
      const reports: { at: number; size: number }[] = [];
      await client.createFileMessageByUploading(bytes(40_000), { onOperationProgress: (p) => reports.push({ at: Date.now(), size: p.currentSize }) });
      expect(reports.length).toBeGreaterThanOrEqual(4);
      expect(reports[reports.length - 1].size).toBe(40_000);
      for (let i = 1; i < reports.length - 1; i++) expect(reports[i].at - reports[i - 1].at).toBeGreaterThanOrEqual(40);
    });

    it('cancels through the AbortSignal mid-upload: MEDIA_CANCEL, CANCELED (6), nothing more sent', async () => {
      const { client, conn } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, holdChunks: true });
      const controller = new AbortController();
      const upload = client.createMediaMessageByUploading(bytes(20_000), {}, { cancelSignal: controller.signal });
      await gw.until(() => gw.media.heldCount === MEDIA_LIMITS.WINDOW);
      controller.abort();
      const err = await rejection(upload);
      expect([err.name, err.code]).toEqual(['RtmUnknownError', 6]);
      await gw.until(() => gw.media.cancels.length === 1);
      expect(gw.media.cancels).toEqual([gw.media.lastUpload!.uploadId]);
      expect(gw.media.lastUpload!.state).toBe('canceled');
      gw.media.release();
      await delay(50);
      expect(chunks(conn)).toHaveLength(MEDIA_LIMITS.WINDOW);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_END)).toHaveLength(0);
    });

    it('an already aborted signal cancels before anything is sent', async () => {
      const { client, conn } = await loggedIn();
      const err = await rejection(client.createMediaMessageByUploading(bytes(10), {}, { cancelSignal: AbortSignal.abort() }));
      expect(err.code).toBe(6);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toHaveLength(0);
    });

    it('cancelMediaUpload(requestId) cancels an upload in flight; false for unknown or finished ids; ids are unique', async () => {
      const { client } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, holdChunks: true });
      const upload = client.createFileMessageByUploading(bytes(20_000), { requestId: 'r1' });
      const dup = await rejection(client.createImageMessageByUploading(bytes(5), { requestId: 'r1' }));
      expect([dup.name, dup.code]).toEqual(['RtmInvalidArgumentError', 2]);
      await gw.until(() => gw.media.heldCount > 0);
      expect(client.cancelMediaUpload('other')).toBe(false);
      expect(client.cancelMediaDownload('r1')).toBe(false);
      expect(client.cancelMediaUpload('r1')).toBe(true);
      expect((await rejection(upload)).code).toBe(6);
      await gw.until(() => gw.media.cancels.length === 1);
      expect(client.cancelMediaUpload('r1')).toBe(false);
      gw.media.holdChunks = false;
      gw.media.release();
      await client.createFileMessageByUploading(bytes(5), { requestId: 'r1' }); // free again
      expect(client.cancelMediaUpload('r1')).toBe(false);
    });

    it('cancels while MEDIA_UPLOAD_BEGIN is unanswered: MEDIA_CANCEL once the upload id is known', async () => {
      const { client, conn } = await loggedIn();
      let answer: (() => void) | undefined;
      const begin = gw.handlers[Op.MEDIA_UPLOAD_BEGIN]!;
      gw.handlers[Op.MEDIA_UPLOAD_BEGIN] = (c, args, id) => {
        answer = () => c.send([3, id, 0, begin(c, args, id)!.data]);
        return undefined;
      };
      const upload = client.createFileMessageByUploading(bytes(100), { requestId: 'b' });
      await gw.until(() => answer !== undefined);
      client.cancelMediaUpload('b');
      expect((await rejection(upload)).code).toBe(6);
      answer!();
      await gw.until(() => gw.media.cancels.length === 1);
      expect(chunks(conn)).toHaveLength(0);
    });

    it.each<[string, () => unknown, string, number]>([
      ['an empty Uint8Array', () => new Uint8Array(0), 'RtmInvalidArgumentError', 2],
      ['an empty Blob', () => new Blob([]), 'RtmInvalidArgumentError', 2],
      ['more than 30 MB', () => new Uint8Array(MEDIA_LIMITS.MAX_BYTES + 1), 'RtmLimitExceededError', 3],
      ['a number', () => 42, 'RtmInvalidArgumentError', 2],
    ])('rejects %s without uploading', async (_what, payload, name, code) => {
      const { client, conn } = await loggedIn();
      const err = await rejection(client.createMediaMessageByUploading(payload() as Blob));
      expect([err.name, err.code]).toEqual([name, code]);
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toHaveLength(0);
    });

    it('rejects description + fileName + thumbnail over 32 KB and bad parameters before uploading (INVALID_ARGUMENT 2)', async () => {
      const { client, conn } = await loggedIn();
      const limit = MEDIA_LIMITS.MESSAGE_MAX_BYTES;
      const ok = await client.createMediaMessageByUploading(bytes(5), {
        fileName: 'ab',
        description: 'x'.repeat(limit - 2 - 100),
        thumbnail: new Uint8Array(100),
      });
      expect(ok.description).toHaveLength(limit - 102);
      for (const params of [
        { fileName: 'abc', description: 'x'.repeat(limit - 2 - 100), thumbnail: new Uint8Array(100) },
        { thumbnail: new Blob([new Uint8Array(limit + 1)]) },
        { messageType: 'TEXT' },
        { fileName: 7 },
        { width: -1, messageType: 'IMAGE' },
        { thumbnail: 'not bytes' },
      ]) {
        const err = await rejection(client.createMediaMessageByUploading(bytes(5), params as never));
        expect([err.name, err.code]).toEqual(['RtmInvalidArgumentError', 2]);
      }
      expect(conn.argsOf(Op.MEDIA_UPLOAD_BEGIN)).toHaveLength(1);
    });

    it('maps server errors: SIZE_OVERFLOW (3), TOO_OFTEN (4)', async () => {
      const { client } = await loggedIn();
      gw.media.maxBytes = 100;
      const over = await rejection(client.createFileMessageByUploading(bytes(101)));
      expect([over.name, over.code, over.serverCode]).toEqual(['RtmLimitExceededError', 3, ErrorCode.SIZE_OVERFLOW]);
      gw.handlers[Op.MEDIA_UPLOAD_BEGIN] = () => ({ code: ErrorCode.TOO_OFTEN, data: { message: 'slow down' } });
      const often = await rejection(client.createFileMessageByUploading(bytes(10)));
      expect([often.name, often.code]).toEqual(['RtmInvokeTooOftenError', 4]);
    });

    it('fails (FAILURE 1) when the connection is lost mid-upload, and sends nothing of it again after the reconnect', async () => {
      const { client, conn, reach } = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, holdChunks: true });
      const upload = client.createFileMessageByUploading(bytes(20_000));
      await gw.until(() => gw.media.heldCount === MEDIA_LIMITS.WINDOW);
      conn.kill();
      const err = await rejection(upload);
      expect([err.name, err.code]).toEqual(['RtmUnknownError', 1]);
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      await delay(50);
      expect(gw.last).not.toBe(conn);
      expect(chunks(gw.last)).toHaveLength(0);
      expect(gw.media.lastUpload!.state).toBe('aborted');
    });

    it('fails (FAILURE 1) at logout and when the session is aborted', async () => {
      const first = await loggedIn();
      Object.assign(gw.media, { chunkBytes: 1000, holdChunks: true });
      const upload = first.client.createFileMessageByUploading(bytes(20_000));
      await gw.until(() => gw.media.heldCount > 0);
      const logout = first.client.logout();
      expect((await rejection(upload)).code).toBe(1);
      await logout;
      const second = await loggedIn('bob');
      const again = second.client.createFileMessageByUploading(bytes(20_000));
      await gw.until(() => chunks(second.conn).length > 0);
      second.conn.drop('REMOTE_LOGIN');
      expect((await rejection(again)).code).toBe(1);
    });
    it('an upload waiting for its stream fails (FAILURE 1) when the session ends, and the stream is closed', async () => {
      const { client, conn } = await loggedIn();
      gw.media.chunkBytes = 100;
      const stream = new PassThrough();
      stream.write(Buffer.alloc(50)); // half a chunk: nothing to send until more comes
      const upload = client.createFileMessageByUploading(stream, { size: 1000 });
      await gw.until(() => conn.argsOf(Op.MEDIA_UPLOAD_BEGIN).length === 1);
      await delay(20);
      expect(chunks(conn)).toHaveLength(0);
      conn.drop('REMOTE_LOGIN');
      const err = await rejection(upload);
      expect([err.name, err.code]).toEqual(['RtmUnknownError', 1]);
      expect(stream.destroyed).toBe(true);
    });
  });

  describe('downloads', () => {
    it('downloads to memory with sequential reads of READ_BYTES, at most 4 in flight', async () => {
      const { client, conn } = await loggedIn();
      const payload = bytes(MEDIA_LIMITS.READ_BYTES * 6 + 123);
      const mediaId = gw.media.put(payload);
      gw.media.readDelayMs = 3;
      const got = await client.downloadMediaToMemory(mediaId);
      expect(buf(got).equals(buf(payload))).toBe(true);
      const reads = conn.argsOf(Op.MEDIA_READ);
      expect(reads.map((r) => [r.offset, r.length])).toEqual(
        Array.from({ length: 7 }, (_, i) => [i * MEDIA_LIMITS.READ_BYTES, i < 6 ? MEDIA_LIMITS.READ_BYTES : 123]),
      );
      expect(gw.media.maxReadsInFlight).toBe(4);
      expect(conn.argsOf(Op.MEDIA_INFO)).toEqual([{ mediaId }]);
    });

    it('downloadMedia (1.4.5) resolves a Blob, with progress up to the total', async () => {
      const { client } = await loggedIn();
      const payload = bytes(MEDIA_LIMITS.READ_BYTES * 3);
      const mediaId = gw.media.put(payload);
      gw.media.readDelayMs = 40;
      const reports: MediaOperationProgress[] = [];
      const blob = await client.downloadMedia(mediaId, { onOperationProgress: (p) => reports.push(p) });
      expect(blob).toBeInstanceOf(Blob);
      expect((await blobBytes(blob)).equals(buf(payload))).toBe(true);
      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(reports[reports.length - 1]).toEqual({ currentSize: payload.byteLength, totalSize: payload.byteLength });
    });

    it('downloads to a file path', async () => {
      const { client } = await loggedIn();
      const payload = bytes(MEDIA_LIMITS.READ_BYTES * 2 + 5);
      const mediaId = gw.media.put(payload);
      const file = path.join(tmp, 'out.bin');
      await expect(client.downloadMediaToFile(mediaId, file)).resolves.toBeUndefined();
      expect(fs.readFileSync(file).equals(buf(payload))).toBe(true);
    });

    it('cancels a file download by request id: CANCELED (6) and the partial file is gone', async () => {
      const { client } = await loggedIn();
      const mediaId = gw.media.put(bytes(MEDIA_LIMITS.READ_BYTES * 6));
      const file = path.join(tmp, 'partial.bin');
      const reports: MediaOperationProgress[] = [];
      gw.media.holdReads = true;
      const download = client.downloadMediaToFile(mediaId, file, { requestId: 'd1', onOperationProgress: (p) => reports.push(p) });
      await gw.until(() => gw.media.heldCount === 4);
      gw.media.release(1);
      await waitFor(() => reports.length === 1);
      expect(fs.existsSync(file)).toBe(true);
      expect(client.cancelMediaUpload('d1')).toBe(false);
      expect(client.cancelMediaDownload('d1')).toBe(true);
      const err = await rejection(download);
      expect([err.name, err.code]).toEqual(['RtmUnknownError', 6]);
      expect(fs.existsSync(file)).toBe(false);
    });

    it('cancels a memory download through the AbortSignal', async () => {
      const { client } = await loggedIn();
      const mediaId = gw.media.put(bytes(MEDIA_LIMITS.READ_BYTES * 2));
      gw.media.holdReads = true;
      const controller = new AbortController();
      const download = client.downloadMediaToMemory(mediaId, { cancelSignal: controller.signal });
      await gw.until(() => gw.media.heldCount === 2);
      controller.abort();
      expect((await rejection(download)).code).toBe(6);
    });

    it('unknown media: NOT_FOUND (7) for every download and no file is created', async () => {
      const { client } = await loggedIn();
      const file = path.join(tmp, 'never.bin');
      for (const call of [client.downloadMediaToMemory('nope'), client.downloadMedia('nope'), client.downloadMediaToFile('nope', file)]) {
        const err = await rejection(call);
        expect([err.name, err.code, err.serverCode]).toEqual(['RtmInvalidArgumentError', 7, ErrorCode.MEDIA_NOT_FOUND]);
      }
      expect(fs.existsSync(file)).toBe(false);
      const bad = await rejection(client.downloadMediaToMemory(''));
      expect(bad.code).toBe(2);
    });

    it('a failed file download removes the partial file; an unwritable path is INVALID_ARGUMENT', async () => {
      const { client } = await loggedIn();
      const mediaId = gw.media.put(bytes(MEDIA_LIMITS.READ_BYTES * 3));
      const file = path.join(tmp, 'broken.bin');
      let reads = 0;
      const read = gw.handlers[Op.MEDIA_READ]!;
      gw.handlers[Op.MEDIA_READ] = (c, args, id) => (++reads === 2 ? { code: ErrorCode.UNAVAILABLE, data: { message: 'gone' } } : read(c, args, id));
      const err = await rejection(client.downloadMediaToFile(mediaId, file));
      expect(err.code).toBe(1);
      expect(fs.existsSync(file)).toBe(false);
      const unwritable = await rejection(client.downloadMediaToFile(gw.media.put(bytes(10)), path.join(tmp, 'no-dir', 'x.bin')));
      expect([unwritable.name, unwritable.code]).toEqual(['RtmInvalidArgumentError', 2]);
      const dir = path.join(tmp, 'a-dir');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
      expect((await rejection(client.downloadMediaToFile(gw.media.put(bytes(10)), dir))).code).toBe(2);
      expect(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('mine'); // what it could not open is left alone
    });

    it('goes on after a reconnect (reads are resent)', async () => {
      const { client, conn, reach } = await loggedIn();
      const payload = bytes(MEDIA_LIMITS.READ_BYTES * 3);
      const mediaId = gw.media.put(payload);
      gw.media.holdReads = true;
      const download = client.downloadMediaToMemory(mediaId);
      await gw.until(() => gw.media.heldCount === 3);
      gw.media.holdReads = false;
      conn.kill();
      await reach('CONNECTED', 'LOGIN_SUCCESS');
      expect(buf(await download).equals(buf(payload))).toBe(true);
      expect(gw.last.argsOf(Op.MEDIA_READ).length).toBe(3);
    });

    it('fails (FAILURE 1) at logout', async () => {
      const { client } = await loggedIn();
      const mediaId = gw.media.put(bytes(MEDIA_LIMITS.READ_BYTES * 2));
      gw.media.holdReads = true;
      const download = client.downloadMediaToFile(mediaId, path.join(tmp, 'f.bin'));
      await gw.until(() => gw.media.heldCount === 2);
      await client.logout();
      expect((await rejection(download)).code).toBe(1);
      expect(fs.existsSync(path.join(tmp, 'f.bin'))).toBe(false);
    });
  });

  describe('not logged in', () => {
    it('every media call rejects with RtmInvalidStatusError 102; cancels return false', async () => {
      const { client } = createClient(gw.url);
      for (const call of [
        client.createMediaMessageByUploading(bytes(1)),
        client.createFileMessageByUploading(bytes(1)),
        client.createImageMessageByUploading(bytes(1)),
        client.createFileMessageByMediaId('m'),
        client.createImageMessageByMediaId('m'),
        client.downloadMedia('m'),
        client.downloadMediaToMemory('m'),
        client.downloadMediaToFile('m', path.join(tmp, 'x')),
      ]) {
        const err = await rejection(call);
        expect([err.name, err.code]).toEqual(['RtmInvalidStatusError', 102]);
      }
      expect(client.cancelMediaUpload('x')).toBe(false);
      expect(client.cancelMediaDownload('x')).toBe(false);
    });
  });

  describe('messages', () => {
    it('builds file and image messages from a media id (MEDIA_INFO); unknown ids are NOT_FOUND (7)', async () => {
      const { client } = await loggedIn();
      const mediaId = gw.media.put(bytes(42), 'pic.png', 'IMAGE', { width: 30, height: 20 });
      expect(await client.createFileMessageByMediaId(mediaId)).toEqual({
        messageType: 'FILE',
        mediaId,
        size: 42,
        fileName: 'pic.png',
        description: '',
        thumbnail: undefined,
      });
      expect(await client.createImageMessageByMediaId(mediaId)).toEqual({
        messageType: 'IMAGE',
        mediaId,
        size: 42,
        fileName: 'pic.png',
        description: '',
        thumbnail: undefined,
        width: 30,
        height: 20,
        thumbnailWidth: 0,
        thumbnailHeight: 0,
      });
      for (const call of [client.createFileMessageByMediaId('gone'), client.createImageMessageByMediaId('gone')]) {
        expect(await rejection(call)).toMatchObject({ name: 'RtmInvalidArgumentError', code: 7 });
      }
    });

    it('an uploaded image goes to a peer through sendMessageToPeer; the peer gets the same fields and downloads it', async () => {
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const got: [RtmMessage, string, ReceivedMessageProperties][] = [];
      bob.client.on('MessageFromPeer', (...args) => got.push(args));
      const payload = png(320, 200, 5000);
      const image = await alice.client.createMediaMessageByUploading(payload, {
        messageType: 'IMAGE',
        fileName: 'cat.png',
        description: 'a cat',
        thumbnail: new Blob([new Uint8Array([9, 8, 7])]),
        thumbnailWidth: 3,
        thumbnailHeight: 1,
      });
      await expect(alice.client.sendMessageToPeer(image, 'bob')).resolves.toMatchObject({ hasPeerReceived: true });
      const wire = alice.conn.argsOf<SendPeerArgs>(Op.SEND_PEER)[0].m;
      expect(wire).toEqual({
        k: MessageKind.IMAGE,
        desc: 'a cat',
        media: { id: image.mediaId, size: payload.byteLength, name: 'cat.png', thumb: new Uint8Array([9, 8, 7]), w: 320, h: 200, tw: 3, th: 1 },
      });
      expect(got).toHaveLength(1);
      const [received, from] = got[0];
      expect(from).toBe('alice');
      expect(received).toEqual({ ...image, thumbnail: expect.any(Blob) });
      const recvImage = received as RtmImageMessage;
      expect(await blobBytes(recvImage.thumbnail)).toEqual(Buffer.from([9, 8, 7]));
      expect(buf(await bob.client.downloadMediaToMemory(recvImage.mediaId)).equals(buf(payload))).toBe(true);
    });

    it('a file message goes through RtmChannel.sendMessage to the other members', async () => {
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const [chA, chB] = [alice.client.createChannel('room'), bob.client.createChannel('room')];
      await chA.join();
      await chB.join();
      const got: RtmMessage[] = [];
      chB.on('ChannelMessage', (message) => got.push(message));
      const file = await alice.client.createFileMessageByUploading(bytes(3000), { fileName: 'notes.txt', description: 'read me' });
      await chA.sendMessage(file);
      await waitFor(() => got.length === 1);
      expect(got[0]).toEqual(file);
      expect(alice.conn.argsOf(Op.SEND_CHANNEL)[0].m).toEqual({
        k: MessageKind.FILE,
        desc: 'read me',
        media: { id: file.mediaId, size: 3000, name: 'notes.txt' },
      });
    });

    it('sends a message the app built with its own thumbnail Blob (read before the send), and checks its 32 KB', async () => {
      const alice = await loggedIn('alice');
      const bob = await loggedIn('bob');
      const got: RtmMessage[] = [];
      bob.client.on('MessageFromPeer', (message) => got.push(message));
      const mediaId = gw.media.put(bytes(10), 'a.txt');
      const message = alice.client.createMessage<RtmFileMessage>({
        messageType: 'FILE',
        mediaId,
        size: 10,
        fileName: 'a.txt',
        description: '',
        thumbnail: new Blob([new Uint8Array([1, 2])]),
      });
      await alice.client.sendMessageToPeer(message, 'bob');
      await waitFor(() => got.length === 1);
      expect(await blobBytes((got[0] as RtmFileMessage).thumbnail)).toEqual(Buffer.from([1, 2]));
      const big = { ...message, thumbnail: new Blob([new Uint8Array(MEDIA_LIMITS.MESSAGE_MAX_BYTES)]), fileName: 'x' };
      expect(await rejection(alice.client.sendMessageToPeer(big, 'bob'))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 7 });
      const channel = alice.client.createChannel('c');
      await channel.join();
      expect(await rejection(channel.sendMessage(big))).toMatchObject({ name: 'RtmInvalidArgumentError', code: 4 });
      expect(alice.conn.argsOf(Op.SEND_PEER)).toHaveLength(1);
    });
  });
});
