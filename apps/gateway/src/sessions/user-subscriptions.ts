import { Injectable } from '@nestjs/common';
import { Subjects, UserMsgKind } from '@parley/contracts/internal';
import { InterestRegistry, NatsBus } from '@parley/platform';
import type { Msg } from 'nats';
import { userKey, type Session } from '../transport/session';

const NONE: ReadonlySet<Session> = new Set();

export type UserMessageHandler = (sessions: ReadonlySet<Session>, body: unknown, msg: Msg) => void;
/** Every kind of user-subject message has exactly one handler (a missing kind is a type error). */
export type UserRoutes = { readonly [K in UserMsgKind]: UserMessageHandler };

/**
 * Interest-based user subjects: the gateway subscribes to a user's subject only while it holds a
 * session of that user, once however many sessions (a resume overlaps the old one briefly).
 * Messages are [UserMsgKind, body], dispatched through the routing table the gateway's
 * composition root hands over (ws/inbound.router.ts).
 */
@Injectable()
export class UserSubscriptions {
  private routes: Partial<UserRoutes> = {};
  private readonly registry: InterestRegistry<Session>;

  constructor(bus: NatsBus) {
    this.registry = new InterestRegistry<Session>(bus, (interest, body, msg) => this.dispatch(interest.members, body, msg));
  }

  route(routes: UserRoutes): void {
    this.routes = routes;
  }

  add(session: Session): void {
    this.registry.add(session.key, Subjects.user(session.appId, session.uid), session, () => ({}));
  }

  remove(session: Session): void {
    this.registry.remove(session.key, session);
  }

  /** The sessions this gateway holds for the uid (none: an empty set). */
  sessionsOf(appId: string, uid: string): ReadonlySet<Session> {
    return this.registry.get(userKey(appId, uid))?.members ?? NONE;
  }

  get size(): number {
    return this.registry.size;
  }

  private dispatch(sessions: ReadonlySet<Session>, body: unknown, msg: Msg): void {
    if (!Array.isArray(body)) return;
    const handler = this.routes[body[0] as UserMsgKind];
    if (handler) handler(sessions, body[1], msg);
  }
}
