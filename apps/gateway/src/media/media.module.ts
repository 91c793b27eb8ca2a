import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MediaService } from './media.service';

/** Files and images: uploads and downloads. */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers: [MediaService],
  exports: [MediaService],
})
export class MediaModule {}
