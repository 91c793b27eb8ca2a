import { AbortCleanupError, S3ObjectWriter, type ObjectStoreClient, type ObjectTarget } from './s3-object-writer';

interface Call {
  op: string;
  args: unknown[];
  settle: { resolve: (v?: unknown) => void; reject: (e: Error) => void };
}

/** An S3 client whose requests the test settles (or that settle at once with `auto`). */
class FakeS3 implements ObjectStoreClient {
  readonly calls: Call[] = [];
  readonly parts = new Map<number, Buffer>();
  stored: Buffer | null = null;
  auto = true;

  private call<T>(op: string, args: unknown[], value: T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = { resolve: () => resolve(value), reject };
      this.calls.push({ op, args, settle });
      if (this.auto) settle.resolve();
    });
  }
  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
  last(): Call {
    return this.calls[this.calls.length - 1]!;
  }

  putObject(bucket: string, key: string, body: Buffer, size: number, meta: Record<string, string>) {
    this.stored = Buffer.from(body);
    return this.call('putObject', [bucket, key, size, meta], {});
  }
  initiateNewMultipartUpload(bucket: string, key: string, headers: Record<string, string>) {
    return this.call('initiate', [bucket, key, headers], 'mp-1');
  }
  uploadPart(part: { partNumber: number; uploadID: string }, payload: Buffer) {
    this.parts.set(part.partNumber, Buffer.from(payload));
    return this.call('uploadPart', [part.partNumber, part.uploadID, payload.length], { etag: `e${part.partNumber}` });
  }
  completeMultipartUpload(bucket: string, key: string, uploadId: string, etags: { part: number; etag?: string }[]) {
    this.stored = Buffer.concat([...this.parts.entries()].sort(([a], [b]) => a - b).map(([, b]) => b));
    return this.call('complete', [uploadId, etags], {});
  }
  abortMultipartUpload(_bucket: string, _key: string, uploadId: string) {
    return this.call('abortMultipart', [uploadId], undefined);
  }
  removeObject(_bucket: string, key: string) {
    return this.call('removeObject', [key], undefined);
  }
}

const target = (size: number, partBytes = 10): ObjectTarget => ({ bucket: 'b', key: 'app/m', size, contentType: 'image/png', partBytes });
const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));
const tick = () => new Promise((r) => setImmediate(r));

function write(w: S3ObjectWriter, data: Buffer): { done: boolean; error?: Error; promise: Promise<void> } {
  const state: { done: boolean; error?: Error; promise: Promise<void> } = { done: false, promise: Promise.resolve() };
  state.promise = new Promise<void>((resolve) =>
    w.write(data, (err) => {
      state.done = true;
      state.error = err ?? undefined;
      resolve();
    }),
  );
  return state;
}

describe('S3ObjectWriter', () => {
  it('sends an object that fits in one part in a single PUT at its end', async () => {
    const s3 = new FakeS3();
    const sut = new S3ObjectWriter(s3, target(8));
    await write(sut, bytes(5)).promise;
    await write(sut, bytes(3, 5)).promise;
    expect(s3.ops()).toEqual([]);
    expect(sut.heldBytes).toBe(8);
    await sut.complete();
    expect(s3.ops()).toEqual(['putObject']);
    expect(s3.calls[0]!.args).toEqual(['b', 'app/m', 8, { 'Content-Type': 'image/png' }]);
    expect(s3.stored).toEqual(bytes(8));
  });

  it('sends full parts as they fill, the rest at the end, holding at most one part', async () => {
    const s3 = new FakeS3();
    const sut = new S3ObjectWriter(s3, target(25));
    let held = 0;
    for (let off = 0; off < 25; off += 7) {
      await write(sut, bytes(Math.min(7, 25 - off), off)).promise;
      held = Math.max(held, sut.heldBytes);
    }
    expect(held).toBe(10);
    expect(s3.ops()).toEqual(['initiate', 'uploadPart', 'uploadPart']);
    await sut.complete();
    expect(s3.ops()).toEqual(['initiate', 'uploadPart', 'uploadPart', 'uploadPart', 'complete']);
    expect([...s3.parts.values()].map((p) => p.length)).toEqual([10, 10, 5]);
    expect(s3.last().args).toEqual([
      'mp-1',
      [
        { part: 1, etag: 'e1' },
        { part: 2, etag: 'e2' },
        { part: 3, etag: 'e3' },
      ],
    ]);
    expect(s3.stored).toEqual(bytes(25));
    expect(sut.heldBytes).toBe(0);
  });

  it('keeps a size that is a multiple of the part size to full parts', async () => {
    const s3 = new FakeS3();
    const sut = new S3ObjectWriter(s3, target(20));
    await write(sut, bytes(20)).promise;
    await sut.complete();
    expect([...s3.parts.values()].map((p) => p.length)).toEqual([10, 10]);
    expect(s3.stored).toEqual(bytes(20));
  });

  it('calls back the write that filled a part only once S3 took the part (backpressure)', async () => {
    const s3 = new FakeS3();
    s3.auto = false;
    const sut = new S3ObjectWriter(s3, target(30));
    const first = write(sut, bytes(6));
    const second = write(sut, bytes(6, 6)); // fills part 1
    const third = write(sut, bytes(6, 12));
    await tick();
    expect(first.done).toBe(true);
    expect(s3.ops()).toEqual(['initiate']);
    s3.last().settle.resolve();
    await tick();
    expect(s3.ops()).toEqual(['initiate', 'uploadPart']);
    expect([second.done, third.done]).toEqual([false, false]);
    s3.last().settle.resolve();
    await second.promise;
    await third.promise;
    expect(second.error).toBeUndefined();
  });

  it('on abort during a part upload: waits for it, aborts the multipart upload, fails pending writes and complete()', async () => {
    const s3 = new FakeS3();
    const sut = new S3ObjectWriter(s3, target(30));
    await write(sut, bytes(10)).promise; // part 1 sent
    s3.auto = false;
    const filling = write(sut, bytes(10, 10)); // part 2 in flight
    const queued = write(sut, bytes(5, 20));
    await tick();
    expect(s3.ops()).toEqual(['initiate', 'uploadPart', 'uploadPart']);
    const aborted = sut.abort();
    await tick();
    expect(s3.ops()).toHaveLength(3); // waits for the part in flight
    s3.last().settle.resolve();
    s3.auto = true;
    await aborted;
    expect(s3.ops()).toEqual(['initiate', 'uploadPart', 'uploadPart', 'abortMultipart']);
    await filling.promise;
    await queued.promise;
    expect(queued.error).toBeInstanceOf(Error);
    await expect(sut.complete()).rejects.toThrow();
    expect(s3.ops()).not.toContain('complete');
  });

  it('on abort during the final PUT: removes the object once the PUT settled', async () => {
    const s3 = new FakeS3();
    const sut = new S3ObjectWriter(s3, target(4));
    await write(sut, bytes(4)).promise;
    s3.auto = false;
    const completing = sut.complete();
    await tick();
    expect(s3.ops()).toEqual(['putObject']);
    const aborted = sut.abort();
    s3.last().settle.resolve();
    s3.auto = true;
    await aborted;
    expect(s3.ops()).toEqual(['putObject', 'removeObject']);
    await expect(completing).rejects.toThrow();
  });

  it('refuses bytes past the size and an end before all of them', async () => {
    const s3 = new FakeS3();
    const over = new S3ObjectWriter(s3, target(4));
    const tooMany = write(over, bytes(5));
    await tooMany.promise;
    expect(tooMany.error?.message).toMatch(/more than the 4 bytes/);
    const short = new S3ObjectWriter(s3, target(4));
    await write(short, bytes(3)).promise;
    await expect(short.complete()).rejects.toThrow(/3 of 4 bytes/);
    expect(s3.ops()).toEqual([]);
  });

  it('reports what it could not clean up', async () => {
    const s3 = new FakeS3();
    s3.abortMultipartUpload = () => Promise.reject(new Error('NotImplemented'));
    const sut = new S3ObjectWriter(s3, target(30));
    await write(sut, bytes(12)).promise;
    await expect(sut.abort()).rejects.toBeInstanceOf(AbortCleanupError);
  });
});
