import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, MediaType, ParleyError, type AppId, type MediaId, type MediaInfo } from '@parley/contracts';
import { MediaUploadKind, Subjects, type MediaBeginReply, type MediaBeginRequest, type MediaUploadMessage } from '@parley/contracts/internal';
import { MEDIA_CONFIG, type MediaConfig } from '../config/media.config';
import { IMAGE_HEAD_BYTES, imageDimensions } from './image-dimensions';
import { checkBegin, checkUploadMessage, contentTypeOf, type CheckedBegin } from './media-rules';
import { countUpload, uploadedBytes } from './media.metrics';
import { MediaRepository } from './media.repository';
import { MediaStorage, objectKey } from './media-storage';
import type { S3ObjectWriter } from './s3-object-writer';

/**
 * Bytes of chunks one upload may have waiting for the storage. The SDK keeps at most
 * MEDIA_LIMITS.WINDOW × CHUNK_BYTES (384 KiB) unanswered; a sender far past that ignores the window.
 */
export const PENDING_MAX_BYTES = 2 * 1024 * 1024;

/**
 * open: taking chunks; ending: END received, the object is being completed; committing: the object
 * is stored and its row being written (too late to cancel); aborted: nothing is left of it.
 */
type UploadState = 'open' | 'ending' | 'committing' | 'aborted';

interface Upload {
  readonly id: string;
  readonly req: CheckedBegin;
  readonly mediaId: MediaId;
  readonly contentType: string;
  readonly writer: S3ObjectWriter;
  readonly idle: NodeJS.Timeout;
  state: UploadState;
  nextSeq: number;
  /** Bytes taken (written or queued into the writer). */
  received: number;
  /** The first bytes of an IMAGE, for its dimensions. */
  head: Buffer | null;
  headFill: number;
  /** Why it was aborted; pending and later requests answer this. */
  reason?: ParleyError;
  aborted?: Promise<void>;
}

const invalid = (message: string) => new ParleyError(ErrorCode.INVALID_ARGUMENT, message);

function write(writer: S3ObjectWriter, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => writer.write(data, (err) => (err ? reject(err) : resolve())));
}

/**
 * The uploads this replica owns, from MEDIA_UPLOAD_BEGIN to their end. Each streams into its S3
 * object as its chunks arrive; a chunk is answered once the writer took it, so the sender's window
 * holds it back while S3 is slower than the client. Only a completed upload gets a row; an aborted
 * one (cancel, error, idle, shutdown) leaves no object and no row.
 */
@Injectable()
export class MediaUploadsService {
  private readonly logger = new Logger(MediaUploadsService.name);
  /** This replica's id: its upload subject is Subjects.media.uploads(replicaId). */
  readonly replicaId = randomBytes(8).toString('hex');
  readonly subject = Subjects.media.uploads(this.replicaId);
  private readonly uploads = new Map<string, Upload>();
  /** Aborts and ends in progress, awaited at shutdown. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly repository: MediaRepository,
    private readonly storage: MediaStorage,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
  ) {}

  /** Uploads in progress on this replica. */
  get size(): number {
    return this.uploads.size;
  }

  begin(request: MediaBeginRequest): MediaBeginReply {
    const req = checkBegin(request, this.config.MEDIA_MAX_BYTES);
    const id = randomBytes(12).toString('hex');
    const mediaId = randomBytes(16).toString('hex') as MediaId;
    const contentType = contentTypeOf(req.name);
    const upload: Upload = {
      id,
      req,
      mediaId,
      contentType,
      writer: this.storage.writer(req.appId, mediaId, req.size, contentType),
      idle: setTimeout(() => void this.onIdle(upload), this.config.MEDIA_UPLOAD_IDLE_MS).unref(),
      state: 'open',
      nextSeq: 0,
      received: 0,
      head: null,
      headFill: 0,
    };
    this.uploads.set(id, upload);
    return { uploadId: id, subject: this.subject };
  }

  /**
   * A request on this replica's upload subject. Everything up to the write into the stream happens
   * synchronously on arrival, so chunks are sequenced in the order NATS delivers them.
   */
  async handle(message: MediaUploadMessage): Promise<MediaInfo | null> {
    const msg = checkUploadMessage(message);
    switch (msg.kind) {
      case MediaUploadKind.CHUNK:
        return this.chunk(msg);
      case MediaUploadKind.END:
        return this.track(this.end(msg));
      case MediaUploadKind.CANCEL:
        return this.cancel(msg);
    }
  }

  /** Aborts every upload still taking bytes, and waits for those being completed. */
  async shutdown(): Promise<void> {
    const reason = new ParleyError(ErrorCode.UNAVAILABLE, 'the media service is shutting down');
    for (const upload of [...this.uploads.values()]) {
      if (upload.state === 'open' || upload.state === 'ending') void this.abort(upload, reason, 'shutdown');
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private async chunk(msg: MediaUploadMessage & { appId: AppId }): Promise<null> {
    const upload = this.open(msg);
    const data = msg.data;
    if (!(data instanceof Uint8Array)) return this.fail(upload, invalid('chunk data must be bytes'));
    if (msg.seq !== upload.nextSeq) return this.fail(upload, invalid(`expected chunk ${upload.nextSeq}, got ${String(msg.seq)}`));
    if (upload.received + data.length > upload.req.size) {
      return this.fail(upload, new ParleyError(ErrorCode.SIZE_OVERFLOW, `more than the ${upload.req.size} bytes declared`));
    }
    if (upload.writer.writableLength + data.length > PENDING_MAX_BYTES) return this.fail(upload, invalid('too many unanswered chunks'));
    upload.nextSeq += 1;
    upload.received += data.length;
    this.keepHead(upload, data);
    upload.idle.refresh();
    try {
      await write(upload.writer, data);
    } catch (err) {
      throw await this.failed(upload, err);
    }
    uploadedBytes.add(data.length);
    if (upload.state === 'open') upload.idle.refresh();
    return null;
  }

  private async end(msg: MediaUploadMessage & { appId: AppId }): Promise<MediaInfo> {
    const upload = this.open(msg);
    if (upload.received !== upload.req.size) return this.fail(upload, invalid(`${upload.received} of ${upload.req.size} bytes received`));
    upload.state = 'ending';
    clearTimeout(upload.idle);
    try {
      await upload.writer.complete();
    } catch (err) {
      throw await this.failed(upload, err);
    }
    if (this.isAborted(upload)) throw upload.reason!;
    upload.state = 'committing';
    const { appId, uid, size, type, name } = upload.req;
    const head = upload.head?.subarray(0, upload.headFill);
    upload.head = null;
    const { width, height } = type === MediaType.IMAGE && head ? imageDimensions(head) : { width: 0, height: 0 };
    const key = objectKey(appId, upload.mediaId);
    try {
      const stored = await this.repository.insert(
        appId,
        { mediaId: upload.mediaId, owner: uid, objectKey: key, size, type, name, contentType: upload.contentType, width, height },
        this.config.MEDIA_TTL_MS,
      );
      countUpload('ok');
      return stored.info;
    } catch (err) {
      countUpload(err as Error);
      // No row: the object must not stay either.
      await this.storage.remove(key).catch((e: Error) => this.logger.warn(`removing ${key} after a failed insert: ${e.message}`));
      throw err;
    } finally {
      this.uploads.delete(upload.id);
    }
  }

  private async cancel(msg: MediaUploadMessage & { appId: AppId }): Promise<null> {
    const upload = this.uploads.get(msg.uploadId);
    // Unknown ids are ignored; a stored object whose row is being written can no longer be canceled.
    if (!upload || upload.req.appId !== msg.appId || upload.state === 'committing') return null;
    await this.abort(upload, invalid('upload canceled'), 'canceled');
    return null;
  }

  /** The caller's upload, still taking requests. */
  private open(msg: MediaUploadMessage & { appId: AppId }): Upload {
    const upload = this.uploads.get(msg.uploadId);
    if (!upload || upload.req.appId !== msg.appId) throw invalid('unknown upload (ended, aborted or of another replica)');
    if (upload.state !== 'open') throw invalid('the upload is ending');
    return upload;
  }

  private keepHead(upload: Upload, data: Uint8Array): void {
    if (upload.req.type !== MediaType.IMAGE) return;
    const capacity = Math.min(upload.req.size, IMAGE_HEAD_BYTES);
    if (upload.headFill >= capacity) return;
    upload.head ??= Buffer.allocUnsafe(capacity);
    const n = Math.min(capacity - upload.headFill, data.length);
    upload.head.set(data.subarray(0, n), upload.headFill);
    upload.headFill += n;
  }

  /** Aborts the upload, then rejects with `reason`. */
  private async fail(upload: Upload, reason: ParleyError): Promise<never> {
    await this.abort(upload, reason);
    throw reason;
  }

  /** The error to answer after the writer failed: the abort's reason, or a storage failure (which aborts it). */
  private async failed(upload: Upload, err: unknown): Promise<ParleyError> {
    if (upload.reason) {
      await upload.aborted;
      return upload.reason;
    }
    this.logger.warn(`upload ${upload.id}: storage failed: ${(err as Error).message}`);
    const reason = new ParleyError(ErrorCode.UNAVAILABLE, 'storage failed');
    await this.abort(upload, reason);
    return reason;
  }

  /** Ends the upload with nothing stored; `result` names why when it is no failure of the upload itself. */
  private abort(upload: Upload, reason: ParleyError, result?: 'canceled' | 'idle' | 'shutdown'): Promise<void> {
    if (upload.aborted) return upload.aborted;
    countUpload(result ?? reason);
    upload.state = 'aborted';
    upload.reason = reason;
    upload.head = null;
    clearTimeout(upload.idle);
    this.uploads.delete(upload.id);
    upload.aborted = upload.writer.abort().catch((err: Error) => this.logger.warn(`upload ${upload.id} aborted: ${err.message}`));
    return this.track(upload.aborted);
  }

  private onIdle(upload: Upload): Promise<void> {
    if (upload.state !== 'open') return Promise.resolve();
    return this.abort(upload, invalid(`nothing received for ${this.config.MEDIA_UPLOAD_IDLE_MS} ms`), 'idle');
  }

  private isAborted(upload: Upload): boolean {
    return upload.state === 'aborted';
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }
}
