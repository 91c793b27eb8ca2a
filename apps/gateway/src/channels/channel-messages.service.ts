import { Inject, Injectable } from '@nestjs/common';
import {
  createCodec,
  ErrorCode,
  Evt,
  Frame,
  isChannelId,
  ParleyError,
  type AppId,
  type ChannelMessageEvent,
  type SendChannelArgs,
  type SendChannelResult,
} from '@parley/contracts';
import { ChannelMessageDelivery, type ChannelMessageNats } from '@parley/delivery';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { checkOutgoingMessage, requireMessageId } from '../sessions/message-rules';
import { messagesIn, messagesOut } from '../metrics/gateway.metrics';
import { messageTotals } from '../metrics/message-totals';

const codec = createCodec();

export type { ChannelMessageNats } from '@parley/delivery';

/**
 * Channel messages: one core-NATS publish on the channel's message subject (the recovery stream
 * keeps a copy); every gateway holding members encodes the event once and writes it to each
 * local member but the sender. No acknowledgements: a member that drops recovers on rejoin.
 */
@Injectable()
export class ChannelMessagesService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly delivery: ChannelMessageDelivery,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * Published at once; a message to keep in the history (`hist`: enableHistoricalMessaging, or an app
   * that stores all) is answered only once its capture is durable (UNAVAILABLE when that fails).
   */
  send(conn: Connection, args: SendChannelArgs): SendChannelResult | Promise<SendChannelResult> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    if (!session.channels?.has(ch)) throw new ParleyError(ErrorCode.NOT_IN_CHANNEL, 'not in this channel');
    requireMessageId(args.id);
    checkOutgoingMessage(session, args.m, this.config);
    messagesIn.channel.add(args.m.k);
    messageTotals.channel(session.appId);
    const body: ChannelMessageNats = { from: session.uid, id: args.id, m: args.m, ts: Date.now() };
    const result: SendChannelResult = { ts: body.ts };
    const stored = this.delivery.publish(session.appId as AppId, ch, body, args.hist === true);
    return stored ? stored.then(() => result) : result;
  }

  /** A channel message from NATS (ChanMsgKind.MESSAGE): one encoding, written to every local member but the sender. */
  fanOut(ch: string, members: ReadonlySet<Session>, message: unknown): void {
    const body = message as ChannelMessageNats;
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
