import {
  Evt,
  INVITATION_LIMITS,
  InvitationState,
  Op,
  isChannelId,
  isUid,
  utf8Length,
  type InvitationSnapshot,
  type InviteAnswerArgs,
  type InviteArgs,
  type InviteCancelArgs,
} from '@parley/contracts';
import type { ClientCore } from '../client-core';
import { ConnectionState, LocalInvitationFailureReason, LocalInvitationState, RemoteInvitationFailureReason, RemoteInvitationState } from '../enums';
import { INVITATION_API_CALL_ERR, RtmInvalidArgumentError, RtmInvalidStatusError, RtmTimeoutError, RtmUnknownError } from '../errors';
import { LocalInvitation } from '../local-invitation';
import { RemoteInvitation } from '../remote-invitation';
import { isLocalEnded, isRemoteEnded, localSteps, remoteSteps, toSnapshot, type LocalStep, type RemoteStep } from './invitation-steps';

const OP = 'INVITATION_API_CALL';
/** Ended invitations stay known this long, so that late duplicates of their snapshots are ignored. */
export const ENDED_INVITATION_RETENTION_MS = 120_000;

/** What the SDK knows about one LocalInvitation. */
interface LocalRecord {
  readonly invitation: LocalInvitation;
  state: LocalInvitationState;
  response: string;
  /** Given at send(). */
  id?: string;
  /** The INVITE request, settled either way: a cancel goes out after it, so the server knows the id. */
  sending: Promise<void>;
  cancelling: boolean;
  endedAt?: number;
}

/** What the SDK knows about one RemoteInvitation. */
interface RemoteRecord {
  readonly invitation: RemoteInvitation;
  readonly id: string;
  state: RemoteInvitationState;
  /** A refuse() is in flight: accept() / refuse() throw ALREADY_END meanwhile. */
  refusing: boolean;
  endedAt?: number;
}

/**
 * Call invitations (spec §2.3 LocalInvitation / RemoteInvitation, §4 their events and
 * RemoteInvitationReceived, §10; libs/contracts/src/invitations.ts). The server holds every
 * invitation's state and decides its one outcome; the SDK sends the caller's and callee's requests
 * and moves its objects to the state of each snapshot it gets (request answers and Evt.INVITATION
 * pushes alike), firing the events of the steps it had not seen. Only this session's invitations
 * are tracked: logout / ABORTED ends the open ones silently (the server fails them for the peer).
 */
export class Invitations {
  private readonly locals = new WeakMap<LocalInvitation, LocalRecord>();
  private readonly remotes = new WeakMap<RemoteInvitation, RemoteRecord>();
  /** This session's sent LocalInvitations by id (ended ones for ENDED_INVITATION_RETENTION_MS). */
  private readonly sent = new Map<string, LocalRecord>();
  /** This session's RemoteInvitations by `${caller}\u0000${id}` (ended ones for a while, too). */
  private readonly received = new Map<string, RemoteRecord>();

  constructor(private readonly core: ClientCore) {
    core.onEvent(Evt.INVITATION, (data) => this.onSnapshot(data));
    core.onEnded(() => this.ended());
  }

  createLocal(calleeId: string): LocalInvitation {
    if (!isUid(calleeId)) throw new RtmInvalidArgumentError('INVITATION: invalid calleeId.', INVITATION_API_CALL_ERR.INVALID_ARGUMENT);
    return new LocalInvitation(this, calleeId);
  }

  localState(inv: LocalInvitation): LocalInvitationState {
    return this.local(inv).state;
  }

  localResponse(inv: LocalInvitation): string {
    return this.local(inv).response;
  }

  remoteState(inv: RemoteInvitation): RemoteInvitationState {
    return this.remote(inv).state;
  }

  // --- caller ---

  /** Throws on a bad argument or state; otherwise the outcome arrives as events. */
  send(inv: LocalInvitation): void {
    const { core } = this;
    const rec = this.local(inv);
    core.log.track('LocalInvitation.send', inv.calleeId, inv.channelId);
    checkText(inv.content, 'content');
    if (typeof inv.channelId !== 'string' || (inv.channelId !== '' && !isChannelId(inv.channelId))) {
      throw invalidArgument("channelId must be '' or a valid channel id");
    }
    if (rec.state === LocalInvitationState.SENT_TO_REMOTE || rec.state === LocalInvitationState.RECEIVED_BY_REMOTE) {
      throw invalidStatus('the invitation was sent already', INVITATION_API_CALL_ERR.ALREADY_SENT);
    }
    if (isLocalEnded(rec.state)) throw invalidStatus('the invitation has ended', INVITATION_API_CALL_ERR.ALREADY_END);
    if (core.session.state !== ConnectionState.CONNECTED) {
      const step: LocalStep = { state: LocalInvitationState.FAILURE, event: 'LocalInvitationFailure', reason: LocalInvitationFailureReason.NOT_LOGGEDIN };
      this.enterLocal(rec, step);
      setTimeout(() => this.emitLocal(inv, step), 0); // agora reports it asynchronously, like every outcome
      return;
    }
    const id = core.newMessageId();
    rec.id = id;
    rec.state = LocalInvitationState.SENT_TO_REMOTE;
    this.prune();
    this.sent.set(id, rec);
    const args: InviteArgs = { id, callee: inv.calleeId, content: inv.content, ch: inv.channelId };
    rec.sending = this.request(Op.INVITE, args)
      .then(
        (snap) => this.applyLocal(rec, snap),
        (err: unknown) => this.sendFailed(rec, id, err),
      )
      .catch((err: unknown) => this.core.log.error('applying an invitation answer failed', err));
  }

  cancel(inv: LocalInvitation): void {
    const rec = this.local(inv);
    this.core.log.track('LocalInvitation.cancel', inv.calleeId);
    if (rec.state === LocalInvitationState.IDLE) throw invalidStatus('the invitation was not sent', INVITATION_API_CALL_ERR.NOT_STARTED);
    if (isLocalEnded(rec.state)) throw invalidStatus('the invitation has ended', INVITATION_API_CALL_ERR.ALREADY_END);
    if (rec.cancelling) return;
    rec.cancelling = true;
    const args: InviteCancelArgs = { id: rec.id as string };
    void rec.sending
      .then(() => (isLocalEnded(rec.state) ? undefined : this.request(Op.INVITE_CANCEL, args).then((snap) => this.applyLocal(rec, snap))))
      .catch((err: unknown) => {
        // Still open: the app may cancel again; the server ends it anyway (no answer / expiry).
        if (!endedBySession(err)) this.core.log.warn('cancelling an invitation failed', err);
      })
      .finally(() => (rec.cancelling = false));
  }

  /** The INVITE failed without an answer: FAILURE, and the invitation is withdrawn in case the server has it. */
  private sendFailed(rec: LocalRecord, id: string, err: unknown): void {
    if (isLocalEnded(rec.state) || endedBySession(err)) return; // the outcome came as an event, or logout ends it
    this.core.log.warn('sending an invitation failed', err);
    const reason = err instanceof RtmTimeoutError ? LocalInvitationFailureReason.PEER_NO_RESPONSE : LocalInvitationFailureReason.UNKNOWN;
    this.advanceLocal(rec, [{ state: LocalInvitationState.FAILURE, event: 'LocalInvitationFailure', reason }]);
    const args: InviteCancelArgs = { id };
    void this.request(Op.INVITE_CANCEL, args).catch(() => undefined);
  }

  // --- callee ---

  accept(inv: RemoteInvitation): void {
    const rec = this.remote(inv);
    this.core.log.track('RemoteInvitation.accept', inv.callerId);
    this.checkAnswer(inv, rec);
    rec.state = RemoteInvitationState.ACCEPT_SENT_TO_LOCAL;
    const args: InviteAnswerArgs = { id: rec.id, caller: inv.callerId, response: inv.response };
    void this.request(Op.INVITE_ACCEPT, args).then(
      (snap) => this.applyRemote(rec, snap),
      (err: unknown) => {
        if (isRemoteEnded(rec.state) || endedBySession(err)) return;
        this.core.log.warn('accepting an invitation failed', err);
        this.advanceRemote(rec, [
          { state: RemoteInvitationState.FAILURE, event: 'RemoteInvitationFailure', reason: RemoteInvitationFailureReason.ACCEPT_FAILURE },
        ]);
      },
    );
  }

  refuse(inv: RemoteInvitation): void {
    const rec = this.remote(inv);
    this.core.log.track('RemoteInvitation.refuse', inv.callerId);
    this.checkAnswer(inv, rec);
    rec.refusing = true;
    const args: InviteAnswerArgs = { id: rec.id, caller: inv.callerId, response: inv.response };
    void this.request(Op.INVITE_REFUSE, args)
      .then((snap) => this.applyRemote(rec, snap))
      .catch((err: unknown) => {
        // Still open: the app may refuse again; otherwise it expires.
        if (!endedBySession(err)) this.core.log.warn('refusing an invitation failed', err);
      })
      .finally(() => (rec.refusing = false));
  }

  private checkAnswer(inv: RemoteInvitation, rec: RemoteRecord): void {
    checkText(inv.response, 'response');
    if (rec.state === RemoteInvitationState.ACCEPT_SENT_TO_LOCAL) {
      throw invalidStatus('the invitation was accepted already', INVITATION_API_CALL_ERR.ALREADY_ACCEPT);
    }
    // Refused already, for the app: the state moves when the server answers (REFUSED, or what won).
    if (isRemoteEnded(rec.state) || rec.refusing) throw invalidStatus('the invitation has ended', INVITATION_API_CALL_ERR.ALREADY_END);
  }

  // --- snapshots ---

  /** Evt.INVITATION (acknowledged after this returns). */
  private onSnapshot(data: unknown): void {
    const snap = toSnapshot(data);
    if (!snap) {
      this.core.log.warn('ignored a malformed invitation event');
      return;
    }
    this.prune();
    const uid = this.core.session.uid;
    if (snap.caller === uid) {
      const rec = this.sent.get(snap.id);
      if (rec) this.applyLocal(rec, snap);
    }
    if (snap.callee === uid) this.onRemoteSnapshot(snap);
  }

  private onRemoteSnapshot(snap: InvitationSnapshot): void {
    const key = remoteKey(snap.caller, snap.id);
    const known = this.received.get(key);
    if (known) return this.applyRemote(known, snap);
    // An invitation first seen answered or ended is none of this client's business.
    if (snap.state !== InvitationState.SENT && snap.state !== InvitationState.RECEIVED) return;
    const inv = new RemoteInvitation(this, snap.caller, snap.ch, snap.content);
    const rec: RemoteRecord = { invitation: inv, id: snap.id, state: RemoteInvitationState.INVITATION_RECEIVED, refusing: false };
    this.remotes.set(inv, rec);
    this.received.set(key, rec);
    try {
      this.core.emitter.emit('RemoteInvitationReceived', inv);
    } catch (err) {
      this.core.log.error('a RemoteInvitationReceived listener threw', err);
    }
  }

  private applyLocal(rec: LocalRecord, snap: InvitationSnapshot): void {
    if (snap.id !== rec.id) return this.core.log.warn(`ignored an answer about invitation ${snap.id}`);
    this.advanceLocal(rec, localSteps(rec.state, snap));
  }

  private applyRemote(rec: RemoteRecord, snap: InvitationSnapshot): void {
    if (snap.id !== rec.id || snap.caller !== rec.invitation.callerId) return this.core.log.warn(`ignored an answer about invitation ${snap.id}`);
    this.advanceRemote(rec, remoteSteps(rec.state, snap));
  }

  /** Each step's state, then its event (a listener sees the state its event is about). */
  private advanceLocal(rec: LocalRecord, steps: LocalStep[]): void {
    for (const step of steps) {
      if (isLocalEnded(rec.state)) return;
      this.enterLocal(rec, step);
      this.emitLocal(rec.invitation, step);
    }
  }

  private advanceRemote(rec: RemoteRecord, steps: RemoteStep[]): void {
    for (const step of steps) {
      if (isRemoteEnded(rec.state)) return;
      rec.state = step.state;
      if (isRemoteEnded(step.state)) rec.endedAt = Date.now();
      this.emitRemote(rec.invitation, step);
    }
  }

  private enterLocal(rec: LocalRecord, step: LocalStep): void {
    rec.state = step.state;
    if (step.event === 'LocalInvitationAccepted' || step.event === 'LocalInvitationRefused') rec.response = step.response;
    if (isLocalEnded(step.state)) rec.endedAt = Date.now();
  }

  /** An app listener that throws must not break the SDK. */
  private emitLocal(inv: LocalInvitation, step: LocalStep): void {
    try {
      switch (step.event) {
        case undefined:
          return;
        case 'LocalInvitationReceivedByPeer':
        case 'LocalInvitationCanceled':
          inv.emit(step.event);
          return;
        case 'LocalInvitationAccepted':
        case 'LocalInvitationRefused':
          inv.emit(step.event, step.response);
          return;
        case 'LocalInvitationFailure':
          inv.emit(step.event, step.reason);
          return;
      }
    } catch (err) {
      this.core.log.error(`a ${String(step.event)} listener threw`, err);
    }
  }

  private emitRemote(inv: RemoteInvitation, step: RemoteStep): void {
    try {
      switch (step.event) {
        case undefined:
          return;
        case 'RemoteInvitationAccepted':
        case 'RemoteInvitationRefused':
          inv.emit(step.event);
          return;
        case 'RemoteInvitationCanceled':
          inv.emit(step.event, inv.content);
          return;
        case 'RemoteInvitationFailure':
          inv.emit(step.event, step.reason);
          return;
      }
    } catch (err) {
      this.core.log.error(`a ${String(step.event)} listener threw`, err);
    }
  }

  // --- bookkeeping ---

  /** INVITE* → the invitation's snapshot (every one is idempotent on the server: resendable). */
  private request(wireOp: Op, args: object): Promise<InvitationSnapshot> {
    const { core } = this;
    return core.session.request<unknown>(wireOp, args, { op: OP, timeoutMs: core.timers.requestTimeoutMs, resendable: true }).then((data) => {
      const snap = toSnapshot(data);
      if (!snap) throw new RtmUnknownError(`${OP}: unexpected answer from the server.`);
      return snap;
    });
  }

  private local(inv: LocalInvitation): LocalRecord {
    let rec = this.locals.get(inv);
    if (!rec) {
      rec = { invitation: inv, state: LocalInvitationState.IDLE, response: '', sending: Promise.resolve(), cancelling: false };
      this.locals.set(inv, rec);
    }
    return rec;
  }

  private remote(inv: RemoteInvitation): RemoteRecord {
    const rec = this.remotes.get(inv);
    if (!rec) throw new RtmInvalidStatusError(`${OP}: unknown remote invitation.`, INVITATION_API_CALL_ERR.NOT_STARTED);
    return rec;
  }

  /** Forgets invitations ended more than ENDED_INVITATION_RETENTION_MS ago. */
  private prune(): void {
    const before = Date.now() - ENDED_INVITATION_RETENTION_MS;
    for (const map of [this.sent, this.received] as Map<string, { endedAt?: number }>[]) {
      for (const [key, rec] of map) if (rec.endedAt !== undefined && rec.endedAt < before) map.delete(key);
    }
  }

  /** Logout / ABORTED: open invitations end without events (the server fails them for the peer); nothing is kept. */
  private ended(): void {
    const now = Date.now();
    for (const rec of this.sent.values()) {
      if (isLocalEnded(rec.state)) continue;
      rec.state = LocalInvitationState.FAILURE;
      rec.endedAt = now;
    }
    for (const rec of this.received.values()) {
      if (isRemoteEnded(rec.state)) continue;
      rec.state = RemoteInvitationState.FAILURE;
      rec.endedAt = now;
    }
    this.sent.clear();
    this.received.clear();
  }
}

function remoteKey(caller: string, id: string): string {
  return `${caller}\u0000${id}`;
}

function checkText(value: unknown, what: string): void {
  if (typeof value !== 'string' || utf8Length(value) > INVITATION_LIMITS.TEXT_MAX_BYTES) {
    throw invalidArgument(`${what} must be a string of at most ${INVITATION_LIMITS.TEXT_MAX_BYTES} UTF-8 bytes`);
  }
}

function invalidArgument(why: string): RtmInvalidArgumentError {
  return new RtmInvalidArgumentError(`${OP}: ${why}.`, INVITATION_API_CALL_ERR.INVALID_ARGUMENT);
}

function invalidStatus(why: string, code: number): RtmInvalidStatusError {
  return new RtmInvalidStatusError(`${OP}: ${why}.`, code);
}

/** Requests rejected because logout() or ABORTED ended the session (not an answer, not a timeout). */
function endedBySession(err: unknown): boolean {
  return err instanceof RtmInvalidStatusError && err.serverCode === undefined;
}
