import { Injectable, Logger } from '@nestjs/common';
import { createCodec, Subjects, type AppId } from '@parley/contracts';
import { InjectNats } from '@parley/platform';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Session } from '../sessions/session';

const codec = createCodec();

export type ChannelHandler = (ch: string, members: ReadonlySet<Session>, body: unknown) => void;

interface Entry {
  sub: Subscription;
  members: Set<Session>;
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

  constructor(@InjectNats() private readonly nc: NatsConnection) {}

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
    const members = new Set([session]);
    const sub = this.nc.subscribe(Subjects.channelAll(session.appId as AppId, ch), {
      callback: (err, msg) => (err ? this.logger.warn(err.message) : this.dispatch(ch, members, msg)),
    });
    this.entries.set(key, { sub, members });
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

  /** Makes sure the subscription is active on the server before going on (recovery reads after it). */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  private dispatch(ch: string, members: Set<Session>, msg: Msg): void {
    let decoded: unknown;
    try {
      decoded = codec.decode(msg.data);
    } catch {
      return;
    }
    if (!Array.isArray(decoded)) return;
    this.handlers.get(decoded[0] as number)?.(ch, members, decoded[1]);
  }
}
