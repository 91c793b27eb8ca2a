import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import { ChannelParams, CountsQuery, MembersQuery, StatusQuery, UserParams } from './v1.schemas';
import { V1Service } from './v1.service';

/** Parley's endpoints beyond Agora's, same auth. */
@Controller('v1/apps/:appid')
@UseGuards(ApiAuthGuard)
export class V1Controller {
  constructor(private readonly v1: V1Service) {}

  @Get('users/status')
  status(@Caller() c: Principal, @Query(new ZodPipe(StatusQuery)) q: z.infer<typeof StatusQuery>, @Req() req: Request) {
    return this.v1.statuses(c.appId, q.uids, requestIdOf(req));
  }

  @Get('users/:uid/channels')
  userChannels(@Caller() c: Principal, @Param(new ZodPipe(UserParams)) p: z.infer<typeof UserParams>, @Req() req: Request) {
    return this.v1.userChannels(c.appId, p.uid, requestIdOf(req));
  }

  @Get('channels/counts')
  counts(@Caller() c: Principal, @Query(new ZodPipe(CountsQuery)) q: z.infer<typeof CountsQuery>, @Req() req: Request) {
    return this.v1.counts(c.appId, q.channels, requestIdOf(req));
  }

  @Get('channels/:channel/members')
  members(
    @Caller() c: Principal,
    @Param(new ZodPipe(ChannelParams)) p: z.infer<typeof ChannelParams>,
    @Query(new ZodPipe(MembersQuery)) q: z.infer<typeof MembersQuery>,
    @Req() req: Request,
  ) {
    return this.v1.members(c.appId, p.channel, q, requestIdOf(req));
  }
}
