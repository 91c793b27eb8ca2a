import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HistoryService } from './history.service';

/** Message history pages for channel members and conversation parties (the reads; capture is in @parley/delivery). */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers: [HistoryService],
  exports: [HistoryService],
})
export class HistoryModule {}
