import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  Evt,
  InvitationState,
  isUid,
  ParleyError,
  type InvitationSnapshot,
  type InviteAnswerArgs,
  type InviteArgs,
  type InviteCancelArgs,
} from '@parley/contracts';
import { type InvitationActionRequest, type InvitationCreateRequest } from '@parley/contracts/internal';
import { InvitationClient, type InvitationAction } from '../clients/invitation.client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { enforceRate } from '../transport/rate';
import type { Session } from '../transport/session';
import { SessionsService, type LoginFacts } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';

/**
 * Call invitations: requests go to the invitation service, which owns every invitation's state;
 * its snapshots arrive on the user subject and are pushed to the party's client as acknowledged
 * events. The acknowledgements are what moves an invitation on: the callee's client has it
 * (SENT → RECEIVED), the caller's client saw the acceptance (ACCEPT_PENDING → ACCEPTED).
 * After a login that resumes something (syncAtLogin) the client gets the snapshots of its open (and
 * lately ended) invitations again.
 */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly invitationService: InvitationClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** UserMsgKind.INVITATION: a snapshot of an invitation the user is a party of, for its sessions here. */
  changed(targets: ReadonlySet<Session>, body: unknown): void {
    for (const session of targets) this.push(session, body as InvitationSnapshot);
  }

  invite(conn: Connection, args: InviteArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    if (!isUid(args?.callee)) throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'invalid callee id');
    enforceRate(session, 'invite', this.config.INVITATION_RATE);
    const req: InvitationCreateRequest = {
      appId: session.appId,
      caller: session.uid,
      id: args.id,
      callee: args.callee,
      content: args.content ?? '',
      ch: args.ch ?? '',
    };
    return this.invitationService.create(req);
  }

  cancel(conn: Connection, args: InviteCancelArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act('cancel', session, { caller: session.uid, id: args?.id });
  }

  accept(conn: Connection, args: InviteAnswerArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act('accept', session, { caller: args?.caller, id: args?.id, response: args?.response ?? '' });
  }

  refuse(conn: Connection, args: InviteAnswerArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act('refuse', session, { caller: args?.caller, id: args?.id, response: args?.response ?? '' });
  }

  private act(action: InvitationAction, session: Session, what: { caller: unknown; id: unknown; response?: string }): Promise<InvitationSnapshot> {
    if (!isUid(what.caller) || typeof what.id !== 'string') throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'caller and id');
    enforceRate(session, 'invite-action', this.config.INVITATION_RATE);
    const req: InvitationActionRequest = { appId: session.appId, caller: what.caller, id: what.id, uid: session.uid, response: what.response };
    return this.invitationService.act(action, req);
  }

  /** Pushes a snapshot to the session's client; its ACK may move the invitation on. */
  private push(session: Session, snapshot: InvitationSnapshot): void {
    const conn = session.conn;
    if (!conn || session.ended) return; // a resume gets it from sync()
    const next = this.onAck(session, snapshot);
    void conn.deliver(Evt.INVITATION, snapshot, this.config.ACK_TIMEOUT_MS).then((acked) => {
      if (acked && next) this.report(next, session, snapshot);
    });
  }

  private onAck(session: Session, s: InvitationSnapshot): InvitationAction | null {
    if (s.state === InvitationState.SENT && s.callee === session.uid) return 'received';
    if (s.state === InvitationState.ACCEPT_PENDING && s.caller === session.uid) return 'confirmAccept';
    return null;
  }

  private report(action: InvitationAction, session: Session, s: InvitationSnapshot): void {
    const req: InvitationActionRequest = { appId: session.appId, caller: s.caller, id: s.id, uid: session.uid };
    this.invitationService.act(action, req).catch((err: Error) => this.logger.warn(`invitation ${action}: ${err.message}`));
  }

  /**
   * After a login that can have invitations to resume: a reconnect of the client, or a login that
   * replaced a session of the uid (its own, or another device's: that one's ringing invitations move
   * here). A login that replaced nothing had no session in the registry: the uid was OFFLINE, which
   * failed its open invitations (a failure still in flight reaches this session on the user
   * subject), and an ended one is nothing to a client that never saw it.
   */
  syncAtLogin(session: Session, facts: LoginFacts): void {
    if (facts.reconnect || facts.replaced !== 'none') void this.sync(session);
  }

  /** The snapshots of the user's open (and lately ended) invitations again. */
  async sync(session: Session): Promise<void> {
    try {
      const snapshots = await this.invitationService.sync({ appId: session.appId, uid: session.uid });
      for (const snapshot of snapshots) this.push(session, snapshot);
    } catch (err) {
      this.logger.warn(`invitation sync: ${(err as Error).message}`);
    }
  }
}
