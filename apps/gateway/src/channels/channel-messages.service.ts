import { Inject, Injectable } from '@nestjs/common';
import {
  ChanMsgKind,
  createCodec,
  ErrorCode,
  Evt,
  Frame,
  isChannelId,
  ParleyError,
  Subjects,
  type AppId,
  type ChannelMessageEvent,
  type SendChannelArgs,
  type SendChannelResult,
} from '@parley/contracts';
import { InjectNats } from '@parley/platform';
import type { NatsConnection } from 'nats';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../sessions/session';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../ws/connection';
import { checkOutgoingMessage, requireMessageId } from '../messages/message-rules';
import { messagesIn, messagesOut } from '../metrics/gateway.metrics';
import { ChannelSubscriptions } from './channel-subscriptions';

const codec = createCodec();

/** The body of a channel message on NATS (the channel is the subject). */
export type ChannelMessageNats = Omit<ChannelMessageEvent, 'ch'>;

/**
 * Channel messages: one core-NATS publish on the channel's message subject (the recovery stream
 * keeps a copy); every gateway holding members encodes the event once and writes it to each
 * local member but the sender. No acknowledgements: a member that drops recovers on rejoin.
 */
@Injectable()
export class ChannelMessagesService {
  constructor(
    private readonly sessions: SessionsService,
    subscriptions: ChannelSubscriptions,
    @InjectNats() private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    subscriptions.on(ChanMsgKind.MESSAGE, (ch, members, body) => this.fanOut(ch, members, body as ChannelMessageNats));
  }

  send(conn: Connection, args: SendChannelArgs): SendChannelResult {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.has(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    requireMessageId(args.id);
    checkOutgoingMessage(session, args.m, this.config);
    messagesIn.channel.add(args.m.k);
    const body: ChannelMessageNats = { from: session.uid, id: args.id, m: args.m, ts: Date.now() };
    this.nc.publish(Subjects.channelMessages(session.appId as AppId, ch), codec.encode([ChanMsgKind.MESSAGE, body]));
    return { ts: body.ts };
  }

  private fanOut(ch: string, members: ReadonlySet<Session>, body: ChannelMessageNats): void {
    if (!body || typeof body.from !== 'string') return;
    const event: ChannelMessageEvent = { ch, from: body.from, id: body.id, m: body.m, ts: body.ts };
    const frame = codec.encode([Frame.EVT, Evt.CHANNEL_MESSAGE, event]);
    let pushed = 0;
    for (const m of members) {
      if (m.uid !== body.from && m.conn) {
        m.conn.sendEncoded(frame);
        pushed++;
      }
    }
    messagesOut.channel.add(body.m?.k, pushed);
  }
}
