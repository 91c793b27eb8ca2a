/**
 * The invitation part of the fake gateway: a small in-memory invitation service answering
 * INVITE / INVITE_CANCEL / INVITE_ACCEPT / INVITE_REFUSE with snapshots and pushing every change
 * to both parties as an acknowledged Evt.INVITATION. As in the real gateway, the callee's ACK of
 * SENT makes it RECEIVED and the caller's ACK of ACCEPT_PENDING makes it ACCEPTED (unless
 * `autoReceive` / `autoConfirm` are off). Tests replace `gw.handlers[Op.INVITE…]` to answer chosen
 * snapshots and push their own with `push` / `FakeConnection.pushInvitation`.
 */
import {
  ErrorCode,
  InvitationFailure,
  InvitationState,
  Op,
  TERMINAL_INVITATION_STATES,
  type InvitationSnapshot,
  type InviteAnswerArgs,
  type InviteArgs,
  type InviteCancelArgs,
} from '@parley/contracts';
import type { Answer, FakeConnection, FakeGateway } from './fake-gateway';

export class FakeInvitations {
  /** By `${caller}\u0000${id}`. */
  readonly all = new Map<string, InvitationSnapshot>();
  /** The callee's ACK of SENT moves it to RECEIVED. */
  autoReceive = true;
  /** The caller's ACK of ACCEPT_PENDING moves it to ACCEPTED. */
  autoConfirm = true;

  constructor(private readonly gw: FakeGateway) {
    Object.assign(gw.handlers, {
      [Op.INVITE]: (conn: FakeConnection, args: InviteArgs) => this.invite(conn, args),
      [Op.INVITE_CANCEL]: (conn: FakeConnection, args: InviteCancelArgs) => this.act(uidOf(conn), args.id, uidOf(conn), 'caller', InvitationState.CANCELED),
      [Op.INVITE_ACCEPT]: (conn: FakeConnection, args: InviteAnswerArgs) =>
        this.act(args.caller, args.id, uidOf(conn), 'callee', InvitationState.ACCEPT_PENDING, args.response ?? ''),
      [Op.INVITE_REFUSE]: (conn: FakeConnection, args: InviteAnswerArgs) =>
        this.act(args.caller, args.id, uidOf(conn), 'callee', InvitationState.REFUSED, args.response ?? ''),
    });
  }

  get(caller: string, id: string): InvitationSnapshot | undefined {
    return this.all.get(key(caller, id));
  }

  /** The only invitation the fake holds (most tests have one). */
  get single(): InvitationSnapshot {
    if (this.all.size !== 1) throw new Error(`fake gateway: ${this.all.size} invitations`);
    return [...this.all.values()][0];
  }

  /** Changes an invitation and pushes the new snapshot to both parties. */
  update(caller: string, id: string, patch: Partial<InvitationSnapshot>): InvitationSnapshot {
    const old = this.get(caller, id);
    if (!old) throw new Error(`fake gateway: no invitation ${caller}/${id}`);
    const next: InvitationSnapshot = { ...old, ...patch, ts: Date.now() };
    this.all.set(key(caller, id), next);
    this.push(next);
    return next;
  }

  /** Pushes `snapshot` to the open connections of its caller and callee (acknowledged, with the real gateway's ACK rules). */
  push(snapshot: InvitationSnapshot): void {
    const targets = new Set([this.gw.connectionOf(snapshot.caller), this.gw.connectionOf(snapshot.callee)]);
    for (const conn of targets) {
      if (!conn) continue;
      const uid = uidOf(conn);
      conn.pushInvitation(snapshot, () => this.acked(uid, snapshot));
    }
  }

  private acked(uid: string, s: InvitationSnapshot): void {
    const now = this.get(s.caller, s.id);
    if (!now || now.state !== s.state) return;
    if (this.autoReceive && s.state === InvitationState.SENT && uid === s.callee) this.update(s.caller, s.id, { state: InvitationState.RECEIVED });
    else if (this.autoConfirm && s.state === InvitationState.ACCEPT_PENDING && uid === s.caller)
      this.update(s.caller, s.id, { state: InvitationState.ACCEPTED });
  }

  /** SENT (pushed to both), FAILED/PEER_OFFLINE when the callee has no connection; a resend answers the current snapshot. */
  private invite(conn: FakeConnection, args: InviteArgs): Answer {
    const caller = uidOf(conn);
    const known = this.get(caller, args.id);
    if (known) return ok(known);
    const online = this.gw.connectionOf(args.callee) !== undefined;
    const snapshot: InvitationSnapshot = {
      id: args.id,
      caller,
      callee: args.callee,
      content: args.content ?? '',
      ch: args.ch ?? '',
      response: '',
      state: online ? InvitationState.SENT : InvitationState.FAILED,
      ts: Date.now(),
    };
    if (!online) snapshot.reason = InvitationFailure.PEER_OFFLINE;
    this.all.set(key(caller, args.id), snapshot);
    if (online) this.push(snapshot);
    return ok(snapshot);
  }

  /** A transition asked by `uid`, who must be the invitation's `role`; an ended invitation answers its outcome. */
  private act(caller: string, id: string, uid: string, role: 'caller' | 'callee', state: InvitationState, response?: string): Answer {
    const s = this.get(caller, id);
    if (!s || s[role] !== uid) return { code: ErrorCode.INVITATION_NOT_STARTED, data: { message: 'no such invitation' } };
    if (TERMINAL_INVITATION_STATES.has(s.state) || (state !== InvitationState.CANCELED && s.state === InvitationState.ACCEPT_PENDING)) return ok(s);
    return ok(this.update(caller, id, response === undefined ? { state } : { state, response }));
  }
}

function key(caller: string, id: string): string {
  return `${caller}\u0000${id}`;
}

function uidOf(conn: FakeConnection): string {
  return conn.login?.uid ?? '';
}

function ok(snapshot: InvitationSnapshot): Answer {
  return { code: ErrorCode.OK, data: snapshot };
}
