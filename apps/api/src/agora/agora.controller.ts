import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ApiAuthGuard, Caller } from '../auth/api-auth.guard';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../http/request-id';
import { ZodPipe } from '../http/zod.pipe';
import { ChannelMessageBody, IdempotencyKey, PeerMessageBody, PeerMessageQuery, UserPathParams } from './agora.schemas';
import { AgoraEventsService } from './agora-events.service';
import { AgoraMessagesService, type SendOutcome } from './agora-messages.service';

const key = new ZodPipe(IdempotencyKey.optional());

/** Marks an answer replayed for a repeated Idempotency-Key and returns its body. */
function replay<T>(res: Response, outcome: SendOutcome<T>): T {
  if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return outcome.body;
}

/** Agora RTM 1.x RESTful API, at Agora's own paths (an Agora client library changes only its host). */
@Controller('dev/v2/project/:appid/rtm')
@UseGuards(ApiAuthGuard)
export class AgoraController {
  constructor(
    private readonly messages: AgoraMessagesService,
    private readonly events: AgoraEventsService,
  ) {}

  @Post('users/:user_id/peer_messages')
  @HttpCode(200)
  async peerMessage(
    @Caller() caller: Principal,
    @Param(new ZodPipe(UserPathParams)) p: z.infer<typeof UserPathParams>,
    @Query(new ZodPipe(PeerMessageQuery)) q: z.infer<typeof PeerMessageQuery>,
    @Body(new ZodPipe(PeerMessageBody)) body: PeerMessageBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replay(res, await this.messages.sendPeer(caller, p.user_id, body, q.wait_for_ack === 'true', requestIdOf(req), key.transform(idempotencyKey)));
  }

  @Post('users/:user_id/channel_messages')
  @HttpCode(200)
  async channelMessage(
    @Caller() caller: Principal,
    @Param(new ZodPipe(UserPathParams)) p: z.infer<typeof UserPathParams>,
    @Body(new ZodPipe(ChannelMessageBody)) body: ChannelMessageBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replay(res, await this.messages.sendChannel(caller, p.user_id, body, requestIdOf(req), key.transform(idempotencyKey)));
  }

  @Get('vendor/user_events')
  userEvents(@Caller() caller: Principal, @Req() req: Request) {
    return this.events.userEvents(caller.appId, requestIdOf(req));
  }

  @Get(['vendor/channel_events', 'hook/channel_events'])
  channelEvents(@Caller() caller: Principal, @Req() req: Request) {
    return this.events.channelEvents(caller.appId, requestIdOf(req));
  }
}
