import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { ZodPipe } from '../http/zod.pipe';
import { HandleParams, HistoryCountQuery, HistoryQueryBody } from './agora-history.schemas';
import { AgoraHistoryService } from './agora-history.service';

/** Agora RTM 1.x's message-history endpoints, at Agora's paths. */
@Controller('dev/v2/project/:appid/rtm/message/history')
@UseGuards(ApiAuthGuard)
export class AgoraHistoryController {
  constructor(private readonly history: AgoraHistoryService) {}

  @Post('query')
  @HttpCode(200)
  query(@Caller() c: Principal, @Body(new ZodPipe(HistoryQueryBody)) body: HistoryQueryBody) {
    return this.history.createQuery(c, body);
  }

  @Get('query/:handle')
  read(@Caller() c: Principal, @Param(new ZodPipe(HandleParams)) p: z.infer<typeof HandleParams>) {
    return this.history.readQuery(c, p.handle);
  }

  @Get('count')
  count(@Caller() c: Principal, @Query(new ZodPipe(HistoryCountQuery)) q: HistoryCountQuery) {
    return this.history.count(c, q);
  }
}
