import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  Evt,
  InvitationState,
  isUid,
  ParleyError,
  Subjects,
  UserMsgKind,
  type InvitationActionRequest,
  type InvitationCreateRequest,
  type InvitationSnapshot,
  type InviteAnswerArgs,
  type InviteArgs,
  type InviteCancelArgs,
} from '@parley/contracts';
import { ServiceClient } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { enforceRate } from '../sessions/rate';
import type { Session } from '../sessions/session';
import { SessionsService } from '../sessions/sessions.service';
import { UserSubscriptions } from '../sessions/user-subscriptions';
import type { Connection } from '../ws/connection';

/**
 * Call invitations: requests go to the invitation service, which owns every invitation's state;
 * its snapshots arrive on the user subject and are pushed to the party's client as acknowledged
 * events. The acknowledgements are what moves an invitation on: the callee's client has it
 * (SENT → RECEIVED), the caller's client saw the acceptance (ACCEPT_PENDING → ACCEPTED).
 * After every login the client gets the snapshots of its open (and lately ended) invitations again.
 */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly services: ServiceClient,
    users: UserSubscriptions,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    users.on(UserMsgKind.INVITATION, (targets, body) => {
      for (const session of targets) this.push(session, body as InvitationSnapshot);
    });
    sessions.onLogin((session) => void this.sync(session));
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
    return this.services.requestIdempotent(Subjects.invitation.create, req, this.config.SERVICE_TIMEOUT_MS);
  }

  cancel(conn: Connection, args: InviteCancelArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act(Subjects.invitation.cancel, session, { caller: session.uid, id: args?.id });
  }

  accept(conn: Connection, args: InviteAnswerArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act(Subjects.invitation.accept, session, { caller: args?.caller, id: args?.id, response: args?.response ?? '' });
  }

  refuse(conn: Connection, args: InviteAnswerArgs): Promise<InvitationSnapshot> {
    const session = this.sessions.requireSession(conn);
    return this.act(Subjects.invitation.refuse, session, { caller: args?.caller, id: args?.id, response: args?.response ?? '' });
  }

  private act(subject: string, session: Session, what: { caller: unknown; id: unknown; response?: string }): Promise<InvitationSnapshot> {
    if (!isUid(what.caller) || typeof what.id !== 'string') throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'caller and id');
    enforceRate(session, 'invite-action', this.config.INVITATION_RATE);
    const req: InvitationActionRequest = { appId: session.appId, caller: what.caller, id: what.id, uid: session.uid, response: what.response };
    return this.services.requestIdempotent(subject, req, this.config.SERVICE_TIMEOUT_MS);
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

  private onAck(session: Session, s: InvitationSnapshot): string | null {
    if (s.state === InvitationState.SENT && s.callee === session.uid) return Subjects.invitation.received;
    if (s.state === InvitationState.ACCEPT_PENDING && s.caller === session.uid) return Subjects.invitation.confirmAccept;
    return null;
  }

  private report(subject: string, session: Session, s: InvitationSnapshot): void {
    const req: InvitationActionRequest = { appId: session.appId, caller: s.caller, id: s.id, uid: session.uid };
    this.services
      .requestIdempotent(subject, req, this.config.SERVICE_TIMEOUT_MS)
      .catch((err: Error) => this.logger.warn(`invitation ${subject}: ${err.message}`));
  }

  private async sync(session: Session): Promise<void> {
    try {
      const snapshots = await this.services.requestIdempotent<InvitationSnapshot[]>(
        Subjects.invitation.sync,
        { appId: session.appId, uid: session.uid },
        this.config.SERVICE_TIMEOUT_MS,
      );
      for (const snapshot of snapshots) this.push(session, snapshot);
    } catch (err) {
      this.logger.warn(`invitation sync: ${(err as Error).message}`);
    }
  }
}
