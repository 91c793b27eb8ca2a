import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import { HistoryChannelParams, HistoryPageQuery, HistoryPeerParams } from './history.schemas';
import { HistoryService } from './history.service';

type ChannelParams = z.infer<typeof HistoryChannelParams>;
type PeerParams = z.infer<typeof HistoryPeerParams>;

const pageQuery = new ZodPipe(HistoryPageQuery);

/** Message history pages of a channel or a conversation, newest first, under /v1 with its auth. */
@Controller('v1/apps/:appid/history')
@UseGuards(ApiAuthGuard)
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('channels/:channel')
  channel(@Caller() c: Principal, @Param(new ZodPipe(HistoryChannelParams)) p: ChannelParams, @Query(pageQuery) q: HistoryPageQuery, @Req() req: Request) {
    return this.history.channel(c, p.channel, q, requestIdOf(req));
  }

  @Get('users/:uid/peers/:peer')
  peer(@Caller() c: Principal, @Param(new ZodPipe(HistoryPeerParams)) p: PeerParams, @Query(pageQuery) q: HistoryPageQuery, @Req() req: Request) {
    return this.history.peer(c, p.uid, p.peer, q, requestIdOf(req));
  }
}
