import { MEDIA_LIMITS, MediaType, utf8Length, type MediaInfo } from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState } from '../enums';
import { notLoggedIn, type RtmError } from '../errors';
import type {
  FileMessageUploadOptions,
  FileMessageUploadParams,
  ImageMessageUploadOptions,
  ImageMessageUploadParams,
  MediaDownloadOptions,
  MediaTransferHandler,
  MediaUploadPayload,
  RtmFileMessage,
  RtmImageMessage,
} from '../types';
import { blobSink, download, fileSink, mediaInfo, memorySink, type DownloadSink } from './media-download';
import { MEDIA_OP, failure, invalidArgument } from './media-errors';
import { buildMediaMessage, readThumbnail, thumbnailSize, type MediaMessage } from './media-message';
import { describePayload, openPayload } from './media-payload';
import { Transfer } from './media-transfer';
import { upload } from './media-upload';

type UploadParams = FileMessageUploadParams | ImageMessageUploadParams | FileMessageUploadOptions | ImageMessageUploadOptions;

/** Longest media id the SDK sends (the server's are far shorter). */
const MAX_MEDIA_ID_LENGTH = 256;

/**
 * Files and images (features.md §7; agora-rtm-sdk 1.4.5 createMediaMessageByUploading /
 * downloadMedia and the native 1.3 names; libs/contracts/src/media.ts): uploads and downloads over
 * the session's WebSocket with progress and cancel, and file / image messages from their media.
 * Transfers in flight are known by request id (cancelMedia*) and end with the session (FAILURE).
 */
export class Media {
  private readonly uploads = new Map<string, Transfer>();
  private readonly downloads = new Map<string, Transfer>();
  private readonly active = new Set<Transfer>();
  /** Bumped by every resume: an upload of an older session is gone on the server. */
  private sessionEpoch = 0;

  constructor(private readonly core: ClientCore) {
    core.onResumed(() => this.sessionEpoch++);
    core.onEnded(() => this.ended());
  }

  /** agora-rtm-sdk 1.4.5: params.messageType 'FILE' (default) or 'IMAGE'. */
  createMediaMessageByUploading(
    payload: MediaUploadPayload,
    params?: FileMessageUploadParams | ImageMessageUploadParams,
    handler?: MediaTransferHandler,
  ): Promise<MediaMessage> {
    this.core.log.track('createMediaMessageByUploading', describePayload(payload), params, handler?.requestId);
    const type = params?.messageType ?? MediaType.FILE;
    if (type !== MediaType.FILE && type !== MediaType.IMAGE) return Promise.reject(invalidArgument("messageType must be 'FILE' or 'IMAGE'"));
    return this.upload(payload, type, params ?? {}, handler ?? {});
  }

  createFileMessageByUploading(payload: MediaUploadPayload, options: FileMessageUploadOptions = {}): Promise<RtmFileMessage> {
    this.core.log.track('createFileMessageByUploading', describePayload(payload), options);
    return this.upload(payload, MediaType.FILE, options, options) as Promise<RtmFileMessage>;
  }

  createImageMessageByUploading(payload: MediaUploadPayload, options: ImageMessageUploadOptions = {}): Promise<RtmImageMessage> {
    this.core.log.track('createImageMessageByUploading', describePayload(payload), options);
    return this.upload(payload, MediaType.IMAGE, options, options) as Promise<RtmImageMessage>;
  }

  /** True when an upload with this request id was in flight (it rejects with CANCELED). */
  cancelUpload(requestId: string): boolean {
    this.core.log.track('cancelMediaUpload', requestId);
    return this.uploads.get(requestId)?.cancel() ?? false;
  }

  cancelDownload(requestId: string): boolean {
    this.core.log.track('cancelMediaDownload', requestId);
    return this.downloads.get(requestId)?.cancel() ?? false;
  }

  /** A file or image message of existing media (size and name from the server; IMAGE: its width and height). */
  async messageByMediaId(mediaId: string, type: MediaType): Promise<MediaMessage> {
    this.core.log.track(type === MediaType.IMAGE ? 'createImageMessageByMediaId' : 'createFileMessageByMediaId', mediaId);
    this.checkReady(mediaId);
    const info = await mediaInfo(this.core, mediaId);
    return buildMediaMessage(
      type,
      { mediaId, size: info.size, fileName: typeof info.name === 'string' ? info.name : '', description: '' },
      { width: count(info.width), height: count(info.height), thumbnailWidth: 0, thumbnailHeight: 0 },
    );
  }

  downloadToMemory(mediaId: string, options: MediaDownloadOptions = {}): Promise<Uint8Array> {
    this.core.log.track('downloadMediaToMemory', mediaId, options.requestId);
    return this.download(mediaId, options, memorySink);
  }

  /** agora-rtm-sdk 1.4.5 downloadMedia. */
  downloadBlob(mediaId: string, handler: MediaTransferHandler = {}): Promise<Blob> {
    this.core.log.track('downloadMedia', mediaId, handler.requestId);
    if (typeof Blob === 'undefined') return Promise.reject(failure('there is no Blob here: use downloadMediaToMemory'));
    return this.download(mediaId, handler, blobSink);
  }

  /** Node: streams the media to `filePath`; a failed or canceled download leaves no file there. */
  downloadToFile(mediaId: string, filePath: string, options: MediaDownloadOptions = {}): Promise<void> {
    this.core.log.track('downloadMediaToFile', mediaId, filePath, options.requestId);
    if (typeof filePath !== 'string' || filePath === '') return Promise.reject(invalidArgument('filePath must be a non-empty string'));
    return this.download(mediaId, options, () => fileSink(filePath));
  }

  private async upload(payload: MediaUploadPayload, type: MediaType, params: UploadParams, handler: MediaTransferHandler): Promise<MediaMessage> {
    this.checkLoggedIn();
    const fields = checkUploadParams(params);
    const transfer = this.register(this.uploads, handler);
    const epoch = this.sessionEpoch;
    return transfer.run(async () => {
      const source = await openPayload(payload, params.size);
      transfer.onCleanup(() => source.close());
      transfer.check();
      // The message must fit before anything is uploaded.
      const fileName = params.fileName ?? source.name;
      const messageBytes = utf8Length(fileName) + utf8Length(params.description ?? '') + (thumbnailSize(params.thumbnail) ?? 0);
      if (messageBytes > MEDIA_LIMITS.MESSAGE_MAX_BYTES) {
        throw invalidArgument(`description + fileName + thumbnail have ${messageBytes} bytes, more than ${MEDIA_LIMITS.MESSAGE_MAX_BYTES}`);
      }
      const thumbnail = await readThumbnail(params.thumbnail).catch((err: unknown) => {
        throw invalidArgument('the thumbnail could not be read', err);
      });
      transfer.check();
      const info: MediaInfo = await upload({
        core: this.core,
        transfer,
        source,
        name: fileName,
        type,
        sessionLost: () => this.core.session.state !== ConnectionState.CONNECTED || this.sessionEpoch !== epoch,
      });
      const image = params as ImageMessageUploadParams;
      return buildMediaMessage(
        type,
        { mediaId: info.mediaId, size: source.size, fileName, description: params.description ?? '', thumbnail },
        {
          width: fields.width || count(info.width),
          height: fields.height || count(info.height),
          thumbnailWidth: image.thumbnailWidth ?? 0,
          thumbnailHeight: image.thumbnailHeight ?? 0,
        },
      );
    });
  }

  private download<T>(mediaId: string, options: MediaTransferHandler, sink: () => DownloadSink<T>): Promise<T> {
    try {
      this.checkReady(mediaId);
      const transfer = this.register(this.downloads, options);
      return transfer.run(() => download(this.core, transfer, mediaId, sink()));
    } catch (err) {
      return Promise.reject(err as RtmError);
    }
  }

  /** A transfer known by its request id (if any) until it settles; a request id in use is INVALID_ARGUMENT. */
  private register(byId: Map<string, Transfer>, handler: MediaTransferHandler): Transfer {
    const { requestId, cancelSignal, onOperationProgress } = handler;
    if (requestId !== undefined && (typeof requestId !== 'string' || requestId === '')) throw invalidArgument('requestId must be a non-empty string');
    if (requestId !== undefined && byId.has(requestId)) throw invalidArgument(`request id ${requestId} is in use`);
    if (cancelSignal !== undefined && (typeof cancelSignal !== 'object' || cancelSignal === null || typeof cancelSignal.addEventListener !== 'function')) {
      throw invalidArgument('cancelSignal must be an AbortSignal');
    }
    if (onOperationProgress !== undefined && typeof onOperationProgress !== 'function') throw invalidArgument('onOperationProgress must be a function');
    const transfer: Transfer = new Transfer(this.core, handler, () => {
      this.active.delete(transfer);
      if (requestId !== undefined && byId.get(requestId) === transfer) byId.delete(requestId);
    });
    this.active.add(transfer);
    if (requestId !== undefined) byId.set(requestId, transfer);
    return transfer;
  }

  private checkLoggedIn(): void {
    if (this.core.session.state !== ConnectionState.CONNECTED) throw notLoggedIn(MEDIA_OP);
  }

  private checkReady(mediaId: string): void {
    this.checkLoggedIn();
    if (typeof mediaId !== 'string' || mediaId === '' || mediaId.length > MAX_MEDIA_ID_LENGTH) {
      throw invalidArgument(`mediaId must be a string of 1 to ${MAX_MEDIA_ID_LENGTH} characters`);
    }
  }

  /** The session ended: every transfer fails (one canceled before stays CANCELED). */
  private ended(): void {
    for (const transfer of [...this.active]) transfer.fail(failure('the session ended'));
  }
}

/** Type checks of the upload parameters; the image sizes the app set (0 = not set). */
function checkUploadParams(params: UploadParams): { width: number; height: number } {
  if (typeof params !== 'object' || params === null) throw invalidArgument('the upload parameters must be an object');
  const p = params as Partial<ImageMessageUploadParams>;
  for (const key of ['fileName', 'description'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'string') throw invalidArgument(`${key} must be a string`);
  }
  for (const key of ['width', 'height', 'thumbnailWidth', 'thumbnailHeight', 'size'] as const) {
    const value = p[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) throw invalidArgument(`${key} must be a non-negative integer`);
  }
  if (thumbnailSize(p.thumbnail) === undefined) throw invalidArgument('thumbnail must be a Blob or a Uint8Array');
  return { width: p.width ?? 0, height: p.height ?? 0 };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
