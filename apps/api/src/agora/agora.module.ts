import { Module } from '@nestjs/common';
import { DeliveryModule } from '@parley/delivery';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { HttpModule } from '../http/http.module';
import { AgoraEventsService } from './agora-events.service';
import { AgoraHistoryController } from './agora-history.controller';
import { AgoraHistoryService } from './agora-history.service';
import { AgoraMessagesService } from './agora-messages.service';
import { AgoraController } from './agora.controller';
import { IdempotencyStore } from './idempotency.store';

/** Agora RTM 1.x RESTful API: message sends, the user/channel event queues and message history. */
@Module({
  imports: [AuthModule, ClientsModule, HttpModule, DeliveryModule],
  controllers: [AgoraController, AgoraHistoryController],
  providers: [AgoraMessagesService, AgoraEventsService, AgoraHistoryService, IdempotencyStore],
})
export class AgoraModule {}
