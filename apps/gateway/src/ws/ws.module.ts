import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PeerMessagesService } from '../messages/peer-messages.service';
import { PresenceClient } from '../presence/presence.client';
import { SessionsService } from '../sessions/sessions.service';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import { OnlineStatusService } from '../status/online-status.service';
import { OutboundQueue } from './outbound-queue';
import { WsRouter } from './ws.router';
import { WsServer } from './ws.server';

@Module({
  imports: [AuthModule],
  providers: [WsServer, WsRouter, OutboundQueue, SessionsService, UserSubscriptions, PresenceClient, OnlineStatusService, PeerMessagesService],
  exports: [WsServer],
})
export class WsModule {}
