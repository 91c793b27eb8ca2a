import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { type MediaUploadMessage } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { Subscription } from 'nats';
import { MediaUploadsService } from './media-uploads.service';

/**
 * This replica's upload subject: a plain NATS subscription (no queue group: only the replica that
 * took MEDIA_UPLOAD_BEGIN holds the upload), served in Nest's envelope by the platform (NatsBus.serve),
 * so the gateway calls it with ServiceClient.request like any service pattern.
 */
@Injectable()
export class MediaUploadSubscriber implements BeforeApplicationShutdown {
  private sub: Subscription | undefined;

  constructor(
    private readonly bus: NatsBus,
    private readonly uploads: MediaUploadsService,
  ) {
    // Subscribed while the app is built: a hybrid app's microservice takes begins before the init hooks run.
    // handle() runs synchronously up to the write, keeping chunks in arrival order.
    this.sub = bus.serve(uploads.subject, (data) => this.uploads.handle(data as MediaUploadMessage));
  }

  /** Stops taking requests, then aborts the uploads in progress (before NATS drains and Prisma disconnects). */
  async beforeApplicationShutdown(): Promise<void> {
    this.bus.unsubscribe(this.sub);
    this.sub = undefined;
    await this.uploads.shutdown();
  }
}
