import { Injectable, Logger } from '@nestjs/common';
import { createCodec, Subjects } from '@parley/contracts';
import { guardedCallback, InjectNats } from '@parley/platform';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Session } from './session';

const codec = createCodec();

export type UserMessageHandler = (sessions: ReadonlySet<Session>, body: unknown, msg: Msg) => void;

interface Entry {
  sub: Subscription;
  sessions: Set<Session>;
}

/**
 * Interest-based user subjects: the gateway subscribes to a user's subject only while it holds a
 * session of that user, once however many sessions (a resume overlaps the old one briefly).
 * Messages are MessagePack arrays [UserMsgKind, body] dispatched to the handler of their kind.
 */
@Injectable()
export class UserSubscriptions {
  private readonly logger = new Logger(UserSubscriptions.name);
  private readonly entries = new Map<string, Entry>();
  private readonly handlers = new Map<number, UserMessageHandler>();

  constructor(@InjectNats() private readonly nc: NatsConnection) {}

  on(kind: number, handler: UserMessageHandler): void {
    this.handlers.set(kind, handler);
  }

  add(session: Session): void {
    const existing = this.entries.get(session.key);
    if (existing) {
      existing.sessions.add(session);
      return;
    }
    const sessions = new Set([session]);
    const sub = this.nc.subscribe(Subjects.user(session.appId, session.uid), {
      callback: guardedCallback(this.logger, (msg) => this.dispatch(sessions, msg)),
    });
    this.entries.set(session.key, { sub, sessions });
  }

  remove(session: Session): void {
    const entry = this.entries.get(session.key);
    if (!entry || !entry.sessions.delete(session)) return;
    if (entry.sessions.size === 0) {
      entry.sub.unsubscribe();
      this.entries.delete(session.key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private dispatch(sessions: Set<Session>, msg: Msg): void {
    let decoded: unknown;
    try {
      decoded = codec.decode(msg.data);
    } catch {
      this.logger.warn({ msg: 'undecodable user message', subject: msg.subject });
      return;
    }
    if (!Array.isArray(decoded)) return;
    const handler = this.handlers.get(decoded[0] as number);
    if (handler) handler(sessions, decoded[1], msg);
  }
}
