import { Module } from '@nestjs/common';
import { StatusPublisher } from '../status/status-publisher';
import { SessionsController } from './sessions.controller';
import { SessionsMetrics } from './sessions.metrics';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  controllers: [SessionsController],
  providers: [SessionsService, SessionsRepository, StatusPublisher, SessionsMetrics],
})
export class SessionsModule {}
