import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { HistoryPatterns, type HistoryCountRequest, type HistoryPageRequest, type HistoryQueryRequest } from '@parley/contracts/internal';
import { HistoryQueryService } from './history-query.service';

@Controller()
export class HistoryQueryController {
  constructor(private readonly history: HistoryQueryService) {}

  @MessagePattern(HistoryPatterns.page)
  page(@Payload() req: HistoryPageRequest) {
    return this.history.page(req);
  }

  @MessagePattern(HistoryPatterns.query)
  query(@Payload() req: HistoryQueryRequest) {
    return this.history.query(req);
  }

  @MessagePattern(HistoryPatterns.count)
  count(@Payload() req: HistoryCountRequest) {
    return this.history.count(req);
  }
}
