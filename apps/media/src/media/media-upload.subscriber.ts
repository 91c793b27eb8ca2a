import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { type MediaUploadMessage, type ServiceReply } from '@parley/contracts/internal';
import { countHandledRequest, guardedCallback, InjectNats, rpcCodec } from '@parley/platform';
import { extractTraceContext, isTracingEnabled, SpanKind, withSpan } from '@parley/platform/telemetry';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { MediaUploadsService } from './media-uploads.service';

/** Nest's request envelope, as ServiceClient.request sends it. */
interface RequestEnvelope {
  pattern?: unknown;
  id?: unknown;
  data?: unknown;
}

/**
 * This replica's upload subject: a plain NATS subscription (no queue group: only the replica that
 * took MEDIA_UPLOAD_BEGIN holds the upload). It speaks the envelope of Nest's NATS transport in
 * MessagePack, as the platform's serializers do, so the gateway calls it with ServiceClient.request
 * like any service pattern.
 */
@Injectable()
export class MediaUploadSubscriber implements BeforeApplicationShutdown {
  private readonly logger = new Logger('MediaUploads');
  private sub: Subscription | undefined;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    private readonly uploads: MediaUploadsService,
  ) {
    // Subscribed while the app is built: a hybrid app's microservice takes begins before the init hooks run.
    this.sub = nc.subscribe(uploads.subject, {
      callback: guardedCallback(this.logger, (msg) => this.onMessage(msg)),
    });
  }

  /** Stops taking requests, then aborts the uploads in progress (before NATS drains and Prisma disconnects). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sub && !this.nc.isClosed()) this.sub.unsubscribe();
    this.sub = undefined;
    await this.uploads.shutdown();
  }

  private onMessage(msg: Msg): void {
    let id: unknown;
    let payload: unknown;
    try {
      const decoded = rpcCodec.decode(msg.data) as RequestEnvelope | null;
      if (decoded && typeof decoded === 'object' && 'pattern' in decoded) {
        id = decoded.id;
        payload = decoded.data;
      } else {
        payload = decoded;
      }
    } catch {
      this.respond(msg, undefined, { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: 'malformed upload message' } });
      return;
    }
    // handle() runs synchronously up to the write, keeping chunks in arrival order.
    const work = isTracingEnabled()
      ? withSpan(
          `process ${msg.subject}`,
          SpanKind.SERVER,
          { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject, 'messaging.operation.type': 'process' },
          () => this.uploads.handle(payload as MediaUploadMessage),
          extractTraceContext(msg.headers),
        )
      : this.uploads.handle(payload as MediaUploadMessage);
    void work.then(
      (data) => this.respond(msg, id, { ok: true, data }),
      (err: unknown) => this.respond(msg, id, this.errorReply(msg.subject, err)),
    );
  }

  private errorReply(subject: string, err: unknown): ServiceReply<never> {
    if (err instanceof ParleyError) return { ok: false, error: { code: err.code, message: err.message } };
    this.logger.error(`${subject}: ${(err as Error)?.stack ?? String(err)}`);
    return { ok: false, error: { code: ErrorCode.UNKNOWN, message: 'internal error' } };
  }

  private respond(msg: Msg, id: unknown, response: ServiceReply<unknown>): void {
    countHandledRequest(msg.subject, response);
    if (!msg.reply || this.nc.isClosed()) return;
    try {
      msg.respond(rpcCodec.encode({ id, response, isDisposed: true }));
    } catch (err) {
      this.logger.warn(`upload reply: ${(err as Error).message}`);
    }
  }
}
