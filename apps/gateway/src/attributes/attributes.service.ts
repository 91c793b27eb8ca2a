import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  Evt,
  isChannelId,
  isUid,
  ParleyError,
  type AttributesMap,
  type ChannelAttributesMap,
  type ChannelAttrsClearArgs,
  type ChannelAttrsDeleteArgs,
  type ChannelAttrsEvent,
  type ChannelAttrsGetArgs,
  type ChannelAttrsWriteArgs,
  type UserAttrsDeleteArgs,
  type UserAttrsGetArgs,
  type UserAttrsWriteArgs,
} from '@parley/contracts';
import { UserAttrsOp, type ChannelAttrsWriteRequest, type UserAttrsWriteRequest } from '@parley/contracts/internal';
import { AttributesClient } from '../clients/attributes.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';
import { SessionsService, type SessionEnd } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';

/** Ends of a login: its user attributes go (a resume or a gateway drain keeps them). */
const ENDS_LOGIN: ReadonlySet<SessionEnd> = new Set(['logout', 'expired', 'remote-login', 'banned']);

/**
 * User and channel attributes: rate limits per session here, everything else (validation, limits,
 * storage, notifications) in the attributes service. Pushes AttributesUpdated to local members.
 */
@Injectable()
export class AttributesService {
  private readonly logger = new Logger(AttributesService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly attributesService: AttributesClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** ChanMsgKind.ATTRIBUTES: AttributesUpdated to every local member. */
  channelAttributesChanged(members: ReadonlySet<Session>, body: unknown): void {
    for (const member of members) member.conn?.event(Evt.CHANNEL_ATTRS, body as ChannelAttrsEvent);
  }

  /** A session ended: the user attributes of its login go unless it may resume. */
  sessionEnded(session: Session, why: SessionEnd): void {
    if (ENDS_LOGIN.has(why)) this.userGone(session);
  }

  setUser(conn: Connection, args: UserAttrsWriteArgs): Promise<null> {
    return this.writeUser(conn, UserAttrsOp.SET, { attrs: args?.attrs });
  }

  addUser(conn: Connection, args: UserAttrsWriteArgs): Promise<null> {
    return this.writeUser(conn, UserAttrsOp.ADD, { attrs: args?.attrs });
  }

  deleteUser(conn: Connection, args: UserAttrsDeleteArgs): Promise<null> {
    return this.writeUser(conn, UserAttrsOp.DELETE, { keys: args?.keys });
  }

  clearUser(conn: Connection): Promise<null> {
    return this.writeUser(conn, UserAttrsOp.CLEAR, {});
  }

  getUser(conn: Connection, args: UserAttrsGetArgs): Promise<AttributesMap> {
    const session = this.sessions.requireSession(conn);
    if (!isUid(args?.uid)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid user id');
    enforceRate(session, 'attrs-user-read', this.config.USER_ATTRS_READ_RATE);
    return this.attributesService.getUser({ appId: session.appId, uid: args.uid, keys: args.keys });
  }

  setChannel(conn: Connection, args: ChannelAttrsWriteArgs): Promise<null> {
    return this.writeChannel(conn, UserAttrsOp.SET, args, { attrs: args?.attrs });
  }

  addChannel(conn: Connection, args: ChannelAttrsWriteArgs): Promise<null> {
    return this.writeChannel(conn, UserAttrsOp.ADD, args, { attrs: args?.attrs });
  }

  deleteChannel(conn: Connection, args: ChannelAttrsDeleteArgs): Promise<null> {
    return this.writeChannel(conn, UserAttrsOp.DELETE, args, { keys: args?.keys });
  }

  clearChannel(conn: Connection, args: ChannelAttrsClearArgs): Promise<null> {
    return this.writeChannel(conn, UserAttrsOp.CLEAR, args, {});
  }

  getChannel(conn: Connection, args: ChannelAttrsGetArgs): Promise<ChannelAttributesMap> {
    const session = this.sessions.requireSession(conn);
    if (!isChannelId(args?.ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    enforceRate(session, 'attrs-channel-read', this.config.CHANNEL_ATTRS_READ_RATE);
    return this.attributesService.getChannel({ appId: session.appId, ch: args.ch, keys: args.keys });
  }

  private writeUser(conn: Connection, op: UserAttrsOp, what: Pick<UserAttrsWriteRequest, 'attrs' | 'keys'>): Promise<null> {
    const session = this.sessions.requireSession(conn);
    enforceRate(session, 'attrs-user-write', this.config.USER_ATTRS_WRITE_RATE);
    const req: UserAttrsWriteRequest = { appId: session.appId, uid: session.uid, instanceId: session.instanceId, op, ...what };
    return this.attributesService.writeUser(req);
  }

  private writeChannel(
    conn: Connection,
    op: UserAttrsOp,
    args: { ch?: unknown; notify?: unknown } | undefined,
    what: Pick<ChannelAttrsWriteRequest, 'attrs' | 'keys'>,
  ): Promise<null> {
    const session = this.sessions.requireSession(conn);
    const ch = args?.ch;
    if (!isChannelId(ch)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid channel id');
    enforceRate(session, 'attrs-channel-write', this.config.CHANNEL_ATTRS_WRITE_RATE);
    const req: ChannelAttrsWriteRequest = { appId: session.appId, ch, uid: session.uid, op, notify: args?.notify === true, ...what };
    return this.attributesService.writeChannel(req);
  }

  private userGone(session: Session): void {
    void this.attributesService
      .userGone({ appId: session.appId, uid: session.uid, instanceId: session.instanceId })
      .catch((err: Error) => this.logger.warn(`user attributes clean-up: ${err.message}`));
  }
}
