import { Inject, Injectable } from '@nestjs/common';
import { type AppId } from '@parley/contracts';
import { ChanMsgKind, Subjects } from '@parley/contracts/internal';
import { InterestRegistry, NatsBus, type Interest } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { SeenMessages } from './seen-messages';

export type ChannelHandler = (ch: string, members: ReadonlySet<Session>, body: unknown) => void;
/** Every kind of channel-subject message has exactly one handler (a missing kind is a type error). */
export type ChannelRoutes = { readonly [K in ChanMsgKind]: ChannelHandler };

interface ChannelState {
  readonly appId: AppId;
  readonly ch: string;
  /** Its last messages that reached this gateway: after a NATS reconnect, what the stream has beyond them was missed. */
  readonly seen: SeenMessages;
}

/** A channel this gateway holds members of. */
export type ChannelEntry = Interest<Session, ChannelState>;

/**
 * Interest-based channel subjects: the gateway subscribes to a channel (messages and events, one
 * wildcard subscription) only while it holds a member, and fans out locally through the routing
 * table the composition root hands over (ws/inbound.router.ts).
 */
@Injectable()
export class ChannelSubscriptions {
  private routes: Partial<ChannelRoutes> = {};
  private readonly registry: InterestRegistry<Session, ChannelState>;

  constructor(
    bus: NatsBus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.registry = new InterestRegistry(bus, (entry, body) => this.dispatch(entry, body));
  }

  route(routes: ChannelRoutes): void {
    this.routes = routes;
  }

  add(session: Session, ch: string): void {
    const appId = session.appId as AppId;
    // As many as the recovery stream keeps per channel: all a catch-up can compare.
    this.registry.add(`${appId}/${ch}`, Subjects.channelAll(appId, ch), session, () => ({
      appId,
      ch,
      seen: new SeenMessages(this.config.RECOVERY_MAX_MESSAGES),
    }));
  }

  remove(session: Session, ch: string): void {
    this.registry.remove(`${session.appId}/${ch}`, session);
  }

  /** Every channel this gateway holds members of, right now. */
  channels(): ChannelEntry[] {
    return this.registry.interests();
  }

  /** Makes sure the subscription is active on the server before going on (recovery reads after it). */
  flush(): Promise<void> {
    return this.registry.flush();
  }

  private dispatch(entry: ChannelEntry, body: unknown): void {
    if (!Array.isArray(body)) return;
    if (body[0] === ChanMsgKind.MESSAGE) entry.seen.noteMessage(body[1]);
    this.routes[body[0] as ChanMsgKind]?.(entry.ch, entry.members, body[1]);
  }
}
