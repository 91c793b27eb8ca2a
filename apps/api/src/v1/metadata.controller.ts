import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import { ActingUidHeader } from './attributes.schemas';
import { ChannelMetadataParams, MetadataDeleteQuery, MetadataWriteBody, UserMetadataParams } from './metadata.schemas';
import { MetadataService } from './metadata.service';

type UserParams = z.infer<typeof UserMetadataParams>;
type ChannelParams = z.infer<typeof ChannelMetadataParams>;

const userParams = new ZodPipe(UserMetadataParams);
const channelParams = new ZodPipe(ChannelMetadataParams);
const writeBody = new ZodPipe(MetadataWriteBody);
const deleteQuery = new ZodPipe(MetadataDeleteQuery);
const actingHeader = new ZodPipe(ActingUidHeader);
/** X-Parley-Uid, checked (400 when it is not a valid uid). */
const actingUid = (headers: unknown) => actingHeader.transform(headers)['x-parley-uid'];

/** User and channel metadata (agora-rtm 1.6.0), same auth as the rest of /v1. */
@Controller('v1/apps/:appid')
@UseGuards(ApiAuthGuard)
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  @Get('users/:uid/metadata')
  user(@Caller() c: Principal, @Param(userParams) p: UserParams, @Req() req: Request) {
    return this.metadata.userMetadata(c.appId, p.uid, requestIdOf(req));
  }

  @Put('users/:uid/metadata')
  setUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Headers() h: unknown, @Body(writeBody) body: MetadataWriteBody, @Req() req: Request) {
    return this.metadata.writeUser(c, p.uid, actingUid(h), 'put', body, requestIdOf(req));
  }

  @Post('users/:uid/metadata')
  @HttpCode(200) // adds keys to an existing set: no resource is created
  addUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Headers() h: unknown, @Body(writeBody) body: MetadataWriteBody, @Req() req: Request) {
    return this.metadata.writeUser(c, p.uid, actingUid(h), 'post', body, requestIdOf(req));
  }

  @Patch('users/:uid/metadata')
  updateUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Headers() h: unknown, @Body(writeBody) body: MetadataWriteBody, @Req() req: Request) {
    return this.metadata.writeUser(c, p.uid, actingUid(h), 'patch', body, requestIdOf(req));
  }

  @Delete('users/:uid/metadata')
  deleteUser(@Caller() c: Principal, @Param(userParams) p: UserParams, @Headers() h: unknown, @Query(deleteQuery) q: MetadataDeleteQuery, @Req() req: Request) {
    return this.metadata.deleteUser(c, p.uid, actingUid(h), q, requestIdOf(req));
  }

  @Get('channels/:channel/metadata')
  channel(@Caller() c: Principal, @Param(channelParams) p: ChannelParams, @Req() req: Request) {
    return this.metadata.channelMetadata(c.appId, p.channel, requestIdOf(req));
  }

  @Put('channels/:channel/metadata')
  setChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Body(writeBody) body: MetadataWriteBody,
    @Req() req: Request,
  ) {
    return this.metadata.writeChannel(c, p.channel, actingUid(h), 'put', body, requestIdOf(req));
  }

  @Post('channels/:channel/metadata')
  @HttpCode(200)
  addChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Body(writeBody) body: MetadataWriteBody,
    @Req() req: Request,
  ) {
    return this.metadata.writeChannel(c, p.channel, actingUid(h), 'post', body, requestIdOf(req));
  }

  @Patch('channels/:channel/metadata')
  updateChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Body(writeBody) body: MetadataWriteBody,
    @Req() req: Request,
  ) {
    return this.metadata.writeChannel(c, p.channel, actingUid(h), 'patch', body, requestIdOf(req));
  }

  @Delete('channels/:channel/metadata')
  deleteChannel(
    @Caller() c: Principal,
    @Param(channelParams) p: ChannelParams,
    @Headers() h: unknown,
    @Query(deleteQuery) q: MetadataDeleteQuery,
    @Req() req: Request,
  ) {
    return this.metadata.deleteChannel(c, p.channel, actingUid(h), q, requestIdOf(req));
  }
}
