import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** The S3 calls an object writer makes (a subset of the minio Client; tests pass a fake). */
export interface ObjectStoreClient {
  putObject(bucket: string, key: string, body: Buffer, size: number, meta: Record<string, string>): Promise<unknown>;
  initiateNewMultipartUpload(bucket: string, key: string, headers: Record<string, string>): Promise<string>;
  uploadPart(
    part: { bucketName: string; objectName: string; uploadID: string; partNumber: number; headers: Record<string, string> },
    payload: Buffer,
  ): Promise<{ etag: string }>;
  completeMultipartUpload(bucket: string, key: string, uploadId: string, etags: { part: number; etag?: string }[]): Promise<unknown>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  removeObject(bucket: string, key: string): Promise<void>;
}

export interface ObjectTarget {
  bucket: string;
  key: string;
  /** Exact size of the object; the writer takes no more and completes only with all of it. */
  size: number;
  contentType: string;
  /** Bytes held before they go to S3 as one part (≥ 5 MiB, S3's minimum part). */
  partBytes: number;
}

/**
 * A stream into one S3 object of known size that holds at most one part in memory.
 *
 * minio's putObject reads the whole stream into memory when the object is smaller than its part
 * size (64 MiB by default), and never settles when its source stream is destroyed. Here bytes fill a
 * part buffer; a full part is sent (multipart upload) before the write that filled it calls back,
 * so a writer awaiting each write's callback is held back while S3 takes the part. An object that
 * fits in one part is sent in a single PUT when the stream ends. `abort()` leaves nothing behind.
 */
export class S3ObjectWriter extends Writable {
  /** Bytes taken so far (sent or in `part`). */
  private taken = 0;
  /** Bytes already sent as completed parts. */
  private sent = 0;
  private part: Buffer | null = null;
  private partFill = 0;
  private multipartId: string | null = null;
  private readonly etags: { part: number; etag: string }[] = [];
  /** The S3 request in progress, if any (abort waits for it before cleaning up). */
  private inFlight: Promise<unknown> = Promise.resolve();
  /** The final PUT / completion was started: an object may exist. */
  private finalizing = false;
  private aborting: Promise<void> | null = null;

  constructor(
    private readonly client: ObjectStoreClient,
    private readonly target: ObjectTarget,
  ) {
    super({ decodeStrings: false });
    // Failures reach the writer's user through write callbacks and complete(); never as an unhandled 'error'.
    this.on('error', () => undefined);
  }

  /** Bytes held in memory for the part being filled. */
  get heldBytes(): number {
    return this.part?.length ?? 0;
  }

  /** Ends the stream and resolves once the object is stored; rejects if it failed or was aborted. */
  async complete(): Promise<void> {
    this.end();
    await finished(this);
  }

  /** Stops the upload and removes what reached S3 (parts, or the object if it was being completed). */
  abort(): Promise<void> {
    this.aborting ??= this.cleanUp();
    return this.aborting;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(() => callback(), callback);
  }

  private async take(chunk: Uint8Array): Promise<void> {
    if (this.taken + chunk.length > this.target.size) throw new Error(`more than the ${this.target.size} bytes declared`);
    let offset = 0;
    while (offset < chunk.length) {
      if (this.destroyed) throw new Error('upload aborted');
      // Every part is partBytes long except the last, which holds the rest.
      const capacity = Math.min(this.target.partBytes, this.target.size - this.sent);
      this.part ??= Buffer.allocUnsafe(capacity);
      const n = Math.min(capacity - this.partFill, chunk.length - offset);
      this.part.set(chunk.subarray(offset, offset + n), this.partFill);
      this.partFill += n;
      this.taken += n;
      offset += n;
      // The last part waits for the end: an object of one part goes in a single PUT.
      if (this.partFill === capacity && this.sent + capacity < this.target.size) await this.sendPart();
    }
  }

  private async sendPart(): Promise<void> {
    const { bucket, key } = this.target;
    const body = this.part!.subarray(0, this.partFill);
    this.multipartId ??= await this.track(this.client.initiateNewMultipartUpload(bucket, key, { 'Content-Type': this.target.contentType }));
    if (this.destroyed) throw new Error('upload aborted');
    const partNumber = this.etags.length + 1;
    const { etag } = await this.track(
      this.client.uploadPart({ bucketName: bucket, objectName: key, uploadID: this.multipartId, partNumber, headers: {} }, body),
    );
    this.etags.push({ part: partNumber, etag });
    this.sent += this.partFill;
    this.part = null;
    this.partFill = 0;
  }

  private async finish(): Promise<void> {
    if (this.taken !== this.target.size) throw new Error(`${this.taken} of ${this.target.size} bytes received`);
    const { bucket, key, size } = this.target;
    const last = (this.part ?? Buffer.alloc(0)).subarray(0, this.partFill);
    this.finalizing = true;
    if (this.multipartId === null) {
      await this.track(this.client.putObject(bucket, key, last, size, { 'Content-Type': this.target.contentType }));
    } else {
      await this.sendPart();
      if (this.destroyed) throw new Error('upload aborted');
      await this.track(this.client.completeMultipartUpload(bucket, key, this.multipartId, this.etags));
    }
    this.part = null;
  }

  private track<T>(request: Promise<T>): Promise<T> {
    this.inFlight = request.catch(() => undefined);
    return request;
  }

  private async cleanUp(): Promise<void> {
    if (!this.destroyed) this.destroy(new Error('upload aborted'));
    this.part = null;
    // Let the request in progress settle first: a part or the object may still land.
    await this.inFlight;
    const { bucket, key } = this.target;
    const failures: unknown[] = [];
    if (this.multipartId !== null) {
      await this.client.abortMultipartUpload(bucket, key, this.multipartId).catch((err: unknown) => failures.push(err));
    }
    if (this.finalizing) await this.client.removeObject(bucket, key).catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw new AbortCleanupError(key, failures);
  }
}

/** Aborting left something on the server (e.g. s3rver does not implement AbortMultipartUpload). */
export class AbortCleanupError extends Error {
  override name = 'AbortCleanupError';
  constructor(
    readonly key: string,
    readonly causes: unknown[],
  ) {
    super(`cleaning up ${key}: ${causes.map((c) => (c as Error)?.message ?? String(c)).join('; ')}`);
  }
}
