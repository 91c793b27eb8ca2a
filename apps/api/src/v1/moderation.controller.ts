import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import { ChannelBanBody, ChannelBanParams, ChannelBansQuery, KickBody, ModerationChannelParams, ModerationUserParams } from './moderation.schemas';
import { ModerationService } from './moderation.service';

type UserParams = z.infer<typeof ModerationUserParams>;
type ChannelParams = z.infer<typeof ModerationChannelParams>;
type BanParams = z.infer<typeof ChannelBanParams>;

const userParams = new ZodPipe(ModerationUserParams);
const channelParams = new ZodPipe(ModerationChannelParams);
const kickPipe = new ZodPipe(KickBody);
/** The kick's body is optional (a plain kick): no body is `{}`. */
const kickBody = { transform: (value: unknown) => kickPipe.transform(value ?? {}) };

/** Kicks and bans (customer credentials only), under /v1 with its auth. */
@Controller('v1/apps/:appid')
@UseGuards(ApiAuthGuard)
export class ModerationController {
  constructor(private readonly moderation: ModerationService) {}

  @Post('users/:uid/kick')
  @HttpCode(200)
  kick(@Caller() c: Principal, @Param(userParams) p: UserParams, @Body(kickBody) body: KickBody, @Req() req: Request) {
    return this.moderation.kick(c, p.uid, body, requestIdOf(req));
  }

  @Get('users/:uid/ban')
  userBan(@Caller() c: Principal, @Param(userParams) p: UserParams, @Req() req: Request) {
    return this.moderation.userBan(c, p.uid, requestIdOf(req));
  }

  @Delete('users/:uid/ban')
  liftUserBan(@Caller() c: Principal, @Param(userParams) p: UserParams, @Req() req: Request) {
    return this.moderation.liftUserBan(c, p.uid, requestIdOf(req));
  }

  @Post('channels/:channel/bans')
  banFromChannel(@Caller() c: Principal, @Param(channelParams) p: ChannelParams, @Body(new ZodPipe(ChannelBanBody)) body: ChannelBanBody, @Req() req: Request) {
    return this.moderation.banFromChannel(c, p.channel, body, requestIdOf(req));
  }

  @Get('channels/:channel/bans')
  channelBans(@Caller() c: Principal, @Param(channelParams) p: ChannelParams, @Query(new ZodPipe(ChannelBansQuery)) q: ChannelBansQuery, @Req() req: Request) {
    return this.moderation.channelBans(c, p.channel, q, requestIdOf(req));
  }

  @Delete('channels/:channel/bans/:uid')
  liftChannelBan(@Caller() c: Principal, @Param(new ZodPipe(ChannelBanParams)) p: BanParams, @Req() req: Request) {
    return this.moderation.liftChannelBan(c, p.channel, p.uid, requestIdOf(req));
  }
}
