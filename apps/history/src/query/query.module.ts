import { Module } from '@nestjs/common';
import { HistoryQueryController } from './history-query.controller';
import { HistoryQueryRepository } from './history-query.repository';
import { HistoryQueryService } from './history-query.service';

/** Pages (SDK, server API v2) and Agora 1.x queries and counts over the stored history. */
@Module({
  controllers: [HistoryQueryController],
  providers: [HistoryQueryService, HistoryQueryRepository],
})
export class QueryModule {}
