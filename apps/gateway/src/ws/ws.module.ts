import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PresenceClient } from '../presence/presence.client';
import { SessionsService } from '../sessions/sessions.service';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import { OnlineStatusService } from '../status/online-status.service';
import { OutboundQueue } from './outbound-queue';
import { WsRouter } from './ws.router';
import { WsServer } from './ws.server';

@Module({
  imports: [AuthModule],
  providers: [WsServer, WsRouter, OutboundQueue, SessionsService, UserSubscriptions, PresenceClient, OnlineStatusService],
  exports: [WsServer],
})
export class WsModule {}
