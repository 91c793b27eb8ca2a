import type { RtmChannel, RtmClient, RtmFileMessage, RtmImageMessage, RtmMessage } from '@parley/rtm-sdk';
import { makeThumbnail, uploadParams } from './media';
import { capped, mediaDownload, type MediaItem, type PlaygroundState, type UploadState } from './state';
import type { Store } from './store';

export type MediaMessage = Extract<RtmMessage, { messageType: 'FILE' | 'IMAGE' }>;

export const isMedia = (m: RtmMessage): m is MediaMessage => m.messageType === 'FILE' || m.messageType === 'IMAGE';

/** Object URLs (thumbnails, downloads) live as long as the page shows them. */
export interface UrlFactory {
  create(blob: Blob): string;
  revoke(url: string): void;
}

export const objectUrls: UrlFactory = { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) };

/** What the transfers need of the session: its store, its current client and channel, and its error-reporting calls. */
export interface TransferHost {
  readonly store: Store<PlaygroundState>;
  nextKey(): number;
  client(): RtmClient | null;
  channel(): RtmChannel | null;
  /** Runs an SDK call; true when it succeeded, else the error is shown. */
  attempt(what: string, call: () => unknown): Promise<boolean>;
  /** Sends a peer message and lists it with its delivery result. */
  sendToPeer(message: RtmMessage, to: string, label: string, options: { enableOfflineMessaging: boolean }): Promise<boolean>;
}

/**
 * Files and images of the playground's client: upload (with a browser-made thumbnail) and send,
 * received ones, downloads; progress through onOperationProgress, Cancel through cancelSignal.
 */
export class MediaTransfers {
  private uploadAbort: AbortController | null = null;
  private readonly downloads = new Map<number, AbortController>();

  constructor(
    private readonly host: TransferHost,
    private readonly urls: UrlFactory = objectUrls,
  ) {}

  private update(change: (s: PlaygroundState) => Partial<PlaygroundState>): void {
    this.host.store.update(change);
  }

  private revokeUrls(items: readonly MediaItem[]): void {
    for (const m of items) {
      if (m.thumbnailUrl) this.urls.revoke(m.thumbnailUrl);
      if (m.download?.url) this.urls.revoke(m.download.url);
    }
  }

  /** A received FILE or IMAGE message (`where`: "peer" or "#<channel>"). */
  received(message: MediaMessage, from: string, where: string): void {
    const thumbnailUrl = message.thumbnail && message.thumbnail.size > 0 ? this.urls.create(message.thumbnail) : undefined;
    const item: MediaItem = {
      key: this.host.nextKey(),
      from,
      where,
      kind: message.messageType,
      name: message.fileName,
      size: message.size,
      mediaId: message.mediaId,
    };
    if (thumbnailUrl) item.thumbnailUrl = thumbnailUrl;
    this.update((s) => {
      const media = capped(s.media, item, 50);
      this.revokeUrls(s.media.filter((m) => !media.includes(m)));
      return { media };
    });
  }

  /** Uploads the file (an image with a thumbnail), then sends the message to the peer or the joined channel. */
  async upload(file: File, to: string, toChannel: boolean): Promise<void> {
    const client = this.host.client();
    if (!client) return void this.update(() => ({ error: 'Upload failed: NotLoggedIn: Log in first.' }));
    const channel = this.host.channel();
    if (toChannel && !channel) return void this.update(() => ({ error: 'Join a channel first.' }));
    if (this.uploadAbort) return void this.update(() => ({ error: 'An upload is in progress: wait for it or cancel it.' }));
    const abort = new AbortController();
    this.uploadAbort = abort;
    const name = file.name;
    // After a log out (or a new log in) this upload's news shows nowhere.
    const progress = (phase: UploadState['phase'], current: number, total = file.size) =>
      this.update(() => (this.host.client() === client ? { upload: { name, current, total, phase } } : {}));
    progress('uploading', 0);
    const upload = uploadParams(file, await makeThumbnail(file));
    const handler = {
      cancelSignal: abort.signal,
      onOperationProgress: ({ currentSize, totalSize }: { currentSize: number; totalSize: number }) => progress('uploading', currentSize, totalSize),
    };
    let message: RtmFileMessage | RtmImageMessage | undefined;
    await this.host.attempt('Upload', async () => {
      message =
        upload.kind === 'IMAGE'
          ? await client.createMediaMessageByUploading(file, upload.params, handler)
          : await client.createMediaMessageByUploading(file, upload.params, handler);
    });
    if (this.uploadAbort === abort) this.uploadAbort = null;
    if (!message) return progress(abort.signal.aborted ? 'canceled' : 'failed', this.host.store.get().upload?.current ?? 0);
    progress('sending', file.size);
    const sent =
      toChannel && channel
        ? await this.host.attempt('Send file to channel', () => channel.sendMessage(message!))
        : await this.host.sendToPeer(message, to, `[${message.messageType}] ${name}`, { enableOfflineMessaging: true });
    progress(sent ? 'sent' : 'failed', file.size);
  }

  cancelUpload(): void {
    this.uploadAbort?.abort();
  }

  /** Downloads a received file with progress; the page then offers it as a "Save <name>" link (an object URL). */
  async download(key: number): Promise<void> {
    const item = this.host.store.get().media.find((m) => m.key === key);
    const client = this.host.client();
    if (!item || this.downloads.has(key)) return;
    const abort = new AbortController();
    this.downloads.set(key, abort);
    const show = (download: MediaItem['download']) => this.update((s) => mediaDownload(s, key, download));
    if (item.download?.url) this.urls.revoke(item.download.url);
    show({ current: 0, total: item.size });
    let blob: Blob | undefined;
    await this.host.attempt('Download', async () => {
      if (!client) throw Object.assign(new Error('Log in first.'), { name: 'NotLoggedIn' });
      blob = await client.downloadMedia(item.mediaId, {
        cancelSignal: abort.signal,
        onOperationProgress: ({ currentSize, totalSize }) => show({ current: currentSize, total: totalSize }),
      });
    });
    this.downloads.delete(key);
    if (!blob) return show({ current: 0, total: item.size, failed: abort.signal.aborted ? 'canceled' : 'failed' });
    show({ current: blob.size, total: blob.size, url: this.urls.create(blob) });
  }

  cancelDownload(key: number): void {
    this.downloads.get(key)?.abort();
  }

  /** Log out: every transfer stops and every object URL is released. */
  reset(): void {
    this.uploadAbort?.abort();
    this.uploadAbort = null;
    for (const abort of this.downloads.values()) abort.abort();
    this.downloads.clear();
    this.revokeUrls(this.host.store.get().media);
  }
}
