import { Body, Controller, Delete, Get, Headers, Param, Patch, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import {
  ActingUidHeader,
  AttrsGetQuery,
  ChannelAttrsBody,
  ChannelAttrsDeleteQuery,
  ChannelAttrsParams,
  UserAttrsBody,
  UserAttrsDeleteQuery,
  UserAttrsParams,
} from './attributes.schemas';
import { AttributesService } from './attributes.service';

type UserParams = z.infer<typeof UserAttrsParams>;
type ChannelParams = z.infer<typeof ChannelAttrsParams>;
type GetQuery = z.infer<typeof AttrsGetQuery>;

const userParams = new ZodPipe(UserAttrsParams);
const channelParams = new ZodPipe(ChannelAttrsParams);
const getQuery = new ZodPipe(AttrsGetQuery);
const actingHeader = new ZodPipe(ActingUidHeader);
/** X-Parley-Uid, checked (400 when it is not a valid uid). */
const actingUid = (headers: unknown) => actingHeader.transform(headers)['x-parley-uid'];

/** User attributes (of a user's current login) and channel attributes, same auth as the rest of /v1. */
@Controller('v1/apps/:appid')
@UseGuards(ApiAuthGuard)
export class AttributesController {
  constructor(private readonly attributes: AttributesService) {}

  @Get('users/:uid/attributes')
  user(@Caller() c: Principal, @Param(userParams) p: UserParams, @Query(getQuery) q: GetQuery, @Req() req: Request) {
    return this.attributes.userAttributes(c, p.uid, q.keys, requestIdOf(req));
  }

  @Put('users/:uid/attributes')
  setUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Body(new ZodPipe(UserAttrsBody)) body: UserAttrsBody, @Req() req: Request) {
    return this.attributes.writeUser(c, p.uid, 'put', body, requestIdOf(req));
  }

  @Patch('users/:uid/attributes')
  addUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Body(new ZodPipe(UserAttrsBody)) body: UserAttrsBody, @Req() req: Request) {
    return this.attributes.writeUser(c, p.uid, 'patch', body, requestIdOf(req));
  }

  @Delete('users/:uid/attributes')
  deleteUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Query(new ZodPipe(UserAttrsDeleteQuery)) q: UserAttrsDeleteQuery, @Req() req: Request) {
    return this.attributes.deleteUser(c, p.uid, q, requestIdOf(req));
  }

  @Get('channels/:channel/attributes')
  channel(@Caller() c: Principal, @Param(channelParams) p: ChannelParams, @Query(getQuery) q: GetQuery, @Req() req: Request) {
    return this.attributes.channelAttributes(c.appId, p.channel, q.keys, requestIdOf(req));
  }

  @Put('channels/:channel/attributes')
  setChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Body(new ZodPipe(ChannelAttrsBody)) body: ChannelAttrsBody,
    @Req() req: Request,
  ) {
    return this.attributes.writeChannel(c, p.channel, actingUid(h), 'put', body, requestIdOf(req));
  }

  @Patch('channels/:channel/attributes')
  addChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Body(new ZodPipe(ChannelAttrsBody)) body: ChannelAttrsBody,
    @Req() req: Request,
  ) {
    return this.attributes.writeChannel(c, p.channel, actingUid(h), 'patch', body, requestIdOf(req));
  }

  @Delete('channels/:channel/attributes')
  deleteChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Query(new ZodPipe(ChannelAttrsDeleteQuery)) q: ChannelAttrsDeleteQuery,
    @Req() req: Request,
  ) {
    return this.attributes.deleteChannel(c, p.channel, actingUid(h), q, requestIdOf(req));
  }
}
