import { Module } from '@nestjs/common';
import { MediaExpiryService } from './media-expiry.service';
import { MediaStorage } from './media-storage';
import { MediaUploadSubscriber } from './media-upload.subscriber';
import { MediaUploadsService } from './media-uploads.service';
import { MediaController } from './media.controller';
import { MediaRepository } from './media.repository';
import { MediaService } from './media.service';
import { UploadsGauge } from './uploads-gauge';

@Module({
  controllers: [MediaController],
  providers: [MediaService, MediaUploadsService, MediaUploadSubscriber, MediaExpiryService, MediaRepository, MediaStorage, UploadsGauge],
})
export class MediaModule {}
