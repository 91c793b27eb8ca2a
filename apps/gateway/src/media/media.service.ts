import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ID_LIMITS,
  ErrorCode,
  MEDIA_LIMITS,
  MediaType,
  ParleyError,
  type MediaCancelArgs,
  type MediaInfo,
  type MediaInfoArgs,
  type MediaReadArgs,
  type MediaUploadBeginArgs,
  type MediaUploadBeginResult,
  type MediaUploadChunkArgs,
  type MediaUploadEndArgs,
} from '@parley/contracts';
import { MediaUploadKind, type MediaBeginReply, type MediaBeginRequest, type MediaUploadMessage } from '@parley/contracts/internal';
import { MediaClient } from '../clients/media.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { mediaDownloaded, mediaUploaded } from '../metrics/gateway.metrics';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';

const MAX_MEDIA_ID = ID_LIMITS.MEDIA_ID_MAX;

/**
 * Files and images over the session's WebSocket. An upload belongs to the session that began it and
 * to the media replica that took it: chunks go straight to that replica's subject, whose answer is
 * the SDK's flow control. A session that ends (logout, drop past the window, kick) aborts its uploads.
 * Downloads are range reads any media replica answers.
 */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly mediaService: MediaClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async begin(conn: Connection, args: MediaUploadBeginArgs): Promise<MediaUploadBeginResult> {
    const session = this.sessions.requireSession(conn);
    enforceRate(session, 'media-upload', this.config.MEDIA_UPLOAD_RATE);
    const type = args?.type === MediaType.IMAGE ? MediaType.IMAGE : args?.type === MediaType.FILE ? MediaType.FILE : null;
    if (!type) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, "type: 'FILE' or 'IMAGE'");
    const req: MediaBeginRequest = { appId: session.appId, uid: session.uid, size: args.size, name: args.name ?? '', type };
    const reply: MediaBeginReply = await this.mediaService.begin(req);
    if (session.ended) {
      this.send(reply.subject, session, MediaUploadKind.CANCEL, reply.uploadId);
      throw new ParleyError(ErrorCode.NOT_LOGGED_IN, 'session ended');
    }
    (session.uploads ??= new Map()).set(reply.uploadId, reply.subject);
    return { uploadId: reply.uploadId, chunkBytes: MEDIA_LIMITS.CHUNK_BYTES, window: MEDIA_LIMITS.WINDOW };
  }

  async chunk(conn: Connection, args: MediaUploadChunkArgs): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const subject = this.upload(session, args?.uploadId);
    if (!(args.data instanceof Uint8Array) || args.data.byteLength === 0 || args.data.byteLength > MEDIA_LIMITS.CHUNK_BYTES) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `data: 1–${MEDIA_LIMITS.CHUNK_BYTES} bytes`);
    }
    try {
      const answer = await this.request<null>(subject, session, MediaUploadKind.CHUNK, args.uploadId, args.seq, args.data);
      mediaUploaded.add(args.data.byteLength);
      return answer;
    } catch (err) {
      session.uploads?.delete(args.uploadId); // the replica aborted it (or is gone)
      throw err;
    }
  }

  async end(conn: Connection, args: MediaUploadEndArgs): Promise<MediaInfo> {
    const session = this.sessions.requireSession(conn);
    const subject = this.upload(session, args?.uploadId);
    try {
      return await this.request<MediaInfo>(subject, session, MediaUploadKind.END, args.uploadId);
    } finally {
      session.uploads?.delete(args.uploadId);
    }
  }

  async cancel(conn: Connection, args: MediaCancelArgs): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const uploadId = args?.uploadId;
    const subject = typeof uploadId === 'string' ? session.uploads?.get(uploadId) : undefined;
    if (!subject) return null;
    session.uploads!.delete(uploadId);
    await this.request(subject, session, MediaUploadKind.CANCEL, uploadId).catch(() => null);
    return null;
  }

  info(conn: Connection, args: MediaInfoArgs): Promise<MediaInfo> {
    const session = this.sessions.requireSession(conn);
    enforceRate(session, 'media-info', this.config.MEDIA_INFO_RATE);
    return this.mediaService.info({ appId: session.appId, mediaId: this.mediaId(args?.mediaId) });
  }

  read(conn: Connection, args: MediaReadArgs): Promise<Uint8Array> {
    const session = this.sessions.requireSession(conn);
    const { offset, length } = args ?? ({} as MediaReadArgs);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 1 || length > MEDIA_LIMITS.READ_BYTES) {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `offset ≥ 0, length 1–${MEDIA_LIMITS.READ_BYTES}`);
    }
    enforceRate(session, 'media-read', this.config.MEDIA_READ_RATE);
    const req = { appId: session.appId, mediaId: this.mediaId(args.mediaId), offset, length };
    return this.mediaService.read(req).then((bytes) => {
      mediaDownloaded.add(bytes?.byteLength ?? 0);
      return bytes;
    });
  }

  private upload(session: Session, uploadId: unknown): string {
    const subject = typeof uploadId === 'string' ? session.uploads?.get(uploadId) : undefined;
    if (!subject) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'no such upload in progress');
    return subject;
  }

  private mediaId(id: unknown): string {
    if (typeof id !== 'string' || !id || id.length > MAX_MEDIA_ID) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid media id');
    return id;
  }

  private request<T>(subject: string, session: Session, kind: MediaUploadKind, uploadId: string, seq?: number, data?: Uint8Array): Promise<T> {
    const msg: MediaUploadMessage = { kind, uploadId, appId: session.appId, seq, data };
    return this.mediaService.upload<T>(subject, msg);
  }

  private send(subject: string, session: Session, kind: MediaUploadKind, uploadId: string): void {
    void this.request(subject, session, kind, uploadId).catch((err: Error) => this.logger.warn(`media ${kind}: ${err.message}`));
  }

  /** A session ended: its uploads are aborted. */
  abortAll(session: Session): void {
    const uploads = session.uploads;
    if (!uploads) return;
    session.uploads = null;
    for (const [uploadId, subject] of uploads) this.send(subject, session, MediaUploadKind.CANCEL, uploadId);
  }
}
