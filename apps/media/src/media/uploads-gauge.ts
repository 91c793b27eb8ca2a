import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { MediaUploadsService } from './media-uploads.service';
import { uploadsInProgress } from './media.metrics';

/** The uploads-in-progress gauge, read from this replica's uploads at each scrape. */
@Injectable()
export class UploadsGauge implements OnApplicationShutdown {
  private readonly remove: () => void;

  constructor(uploads: MediaUploadsService) {
    this.remove = uploadsInProgress.observe((report) => report(uploads.size));
  }

  onApplicationShutdown(): void {
    this.remove();
  }
}
