import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChanMsgKind, createCodec, Subjects, type AppId } from '@parley/contracts';
import { guardedCallback, InjectNats } from '@parley/platform';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { Session } from '../sessions/session';
import { SeenMessages } from './seen-messages';

const codec = createCodec();

export type ChannelHandler = (ch: string, members: ReadonlySet<Session>, body: unknown) => void;

/** A channel this gateway holds members of. */
export interface ChannelEntry {
  readonly appId: AppId;
  readonly ch: string;
  readonly members: ReadonlySet<Session>;
  /** Its last messages that reached this gateway: after a NATS reconnect, what the stream has beyond them was missed. */
  readonly seen: SeenMessages;
}

interface Entry extends ChannelEntry {
  readonly sub: Subscription;
  readonly members: Set<Session>;
}

/**
 * Interest-based channel subjects: the gateway subscribes to a channel (messages and events, one
 * wildcard subscription) only while it holds a member, and fans out locally.
 */
@Injectable()
export class ChannelSubscriptions {
  private readonly logger = new Logger(ChannelSubscriptions.name);
  private readonly entries = new Map<string, Entry>();
  private readonly handlers = new Map<number, ChannelHandler>();

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  on(kind: number, handler: ChannelHandler): void {
    this.handlers.set(kind, handler);
  }

  add(session: Session, ch: string): void {
    const key = `${session.appId}/${ch}`;
    const existing = this.entries.get(key);
    if (existing) {
      existing.members.add(session);
      return;
    }
    const appId = session.appId as AppId;
    // As many as the recovery stream keeps per channel: all a catch-up can compare.
    const seen = new SeenMessages(this.config.RECOVERY_MAX_MESSAGES);
    const entry: Entry = {
      appId,
      ch,
      members: new Set([session]),
      seen,
      sub: this.nc.subscribe(Subjects.channelAll(appId, ch), {
        callback: guardedCallback(this.logger, (msg) => this.dispatch(entry, msg)),
      }),
    };
    this.entries.set(key, entry);
  }

  remove(session: Session, ch: string): void {
    const key = `${session.appId}/${ch}`;
    const entry = this.entries.get(key);
    if (!entry || !entry.members.delete(session)) return;
    if (entry.members.size === 0) {
      entry.sub.unsubscribe();
      this.entries.delete(key);
    }
  }

  /** Every channel this gateway holds members of, right now. */
  channels(): ChannelEntry[] {
    return [...this.entries.values()];
  }

  /** Makes sure the subscription is active on the server before going on (recovery reads after it). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  private dispatch(entry: Entry, msg: Msg): void {
    let decoded: unknown;
    try {
      decoded = codec.decode(msg.data);
    } catch {
      return;
    }
    if (!Array.isArray(decoded)) return;
    if (decoded[0] === ChanMsgKind.MESSAGE) entry.seen.noteMessage(decoded[1]);
    this.handlers.get(decoded[0] as number)?.(entry.ch, entry.members, decoded[1]);
  }
}
