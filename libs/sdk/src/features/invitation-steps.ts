import { InvitationFailure, InvitationState, type InvitationSnapshot } from '@parley/contracts';
import { LocalInvitationFailureReason, LocalInvitationState, RemoteInvitationFailureReason, RemoteInvitationState } from '../enums';

/**
 * The pure part of call invitations (spec §10): which states and events a server snapshot moves a
 * LocalInvitation / RemoteInvitation through. The server's states only move forward, so a snapshot
 * not ahead of what the SDK knows yields no step (duplicates and stale pushes are harmless).
 */

/** One transition of a LocalInvitation and the event it fires (none for SENT_TO_REMOTE). */
export type LocalStep =
  | { state: LocalInvitationState.SENT_TO_REMOTE; event?: undefined }
  | { state: LocalInvitationState.RECEIVED_BY_REMOTE; event: 'LocalInvitationReceivedByPeer' }
  | { state: LocalInvitationState.ACCEPTED_BY_REMOTE; event: 'LocalInvitationAccepted'; response: string }
  | { state: LocalInvitationState.REFUSED_BY_REMOTE; event: 'LocalInvitationRefused'; response: string }
  | { state: LocalInvitationState.CANCELED; event: 'LocalInvitationCanceled' }
  | { state: LocalInvitationState.FAILURE; event: 'LocalInvitationFailure'; reason: LocalInvitationFailureReason };

/** One transition of a RemoteInvitation and the event it fires (none for ACCEPT_SENT_TO_LOCAL). */
export type RemoteStep =
  | { state: RemoteInvitationState.ACCEPT_SENT_TO_LOCAL; event?: undefined }
  | { state: RemoteInvitationState.ACCEPTED; event: 'RemoteInvitationAccepted' }
  | { state: RemoteInvitationState.REFUSED; event: 'RemoteInvitationRefused' }
  | { state: RemoteInvitationState.CANCELED; event: 'RemoteInvitationCanceled' }
  | { state: RemoteInvitationState.FAILURE; event: 'RemoteInvitationFailure'; reason: RemoteInvitationFailureReason };

const LOCAL_TERMINAL: ReadonlySet<LocalInvitationState> = new Set([
  LocalInvitationState.ACCEPTED_BY_REMOTE,
  LocalInvitationState.REFUSED_BY_REMOTE,
  LocalInvitationState.CANCELED,
  LocalInvitationState.FAILURE,
]);

const REMOTE_TERMINAL: ReadonlySet<RemoteInvitationState> = new Set([
  RemoteInvitationState.ACCEPTED,
  RemoteInvitationState.REFUSED,
  RemoteInvitationState.CANCELED,
  RemoteInvitationState.FAILURE,
]);

export function isLocalEnded(state: LocalInvitationState): boolean {
  return LOCAL_TERMINAL.has(state);
}

export function isRemoteEnded(state: RemoteInvitationState): boolean {
  return REMOTE_TERMINAL.has(state);
}

const LOCAL_REASONS: Record<InvitationFailure, LocalInvitationFailureReason> = {
  [InvitationFailure.PEER_OFFLINE]: LocalInvitationFailureReason.PEER_OFFLINE,
  [InvitationFailure.PEER_NO_RESPONSE]: LocalInvitationFailureReason.PEER_NO_RESPONSE,
  [InvitationFailure.INVITATION_EXPIRE]: LocalInvitationFailureReason.INVITATION_EXPIRE,
  [InvitationFailure.ACCEPT_FAILURE]: LocalInvitationFailureReason.UNKNOWN,
};

const REMOTE_REASONS: Record<InvitationFailure, RemoteInvitationFailureReason> = {
  [InvitationFailure.PEER_OFFLINE]: RemoteInvitationFailureReason.PEER_OFFLINE,
  [InvitationFailure.PEER_NO_RESPONSE]: RemoteInvitationFailureReason.UNKNOWN,
  [InvitationFailure.INVITATION_EXPIRE]: RemoteInvitationFailureReason.INVITATION_EXPIRE,
  [InvitationFailure.ACCEPT_FAILURE]: RemoteInvitationFailureReason.ACCEPT_FAILURE,
};

/** Failures that only happen after the callee's client had the invitation (expiry, unconfirmed acceptance). */
const FAILURES_AFTER_RECEIPT: ReadonlySet<string> = new Set([InvitationFailure.INVITATION_EXPIRE, InvitationFailure.ACCEPT_FAILURE]);

export function localFailureReason(reason: InvitationFailure | undefined): LocalInvitationFailureReason {
  return (reason && LOCAL_REASONS[reason]) ?? LocalInvitationFailureReason.UNKNOWN;
}

export function remoteFailureReason(reason: InvitationFailure | undefined): RemoteInvitationFailureReason {
  return (reason && REMOTE_REASONS[reason]) ?? RemoteInvitationFailureReason.UNKNOWN;
}

/**
 * The caller's steps from `current` to the snapshot's state, in order: a skipped receipt is reported
 * (LocalInvitationReceivedByPeer) before an outcome that implies it. ACCEPT_PENDING is only a
 * receipt: the server may still cancel or fail an acceptance the caller's client has not confirmed.
 */
export function localSteps(current: LocalInvitationState, snap: InvitationSnapshot): LocalStep[] {
  if (isLocalEnded(current)) return [];
  const steps: LocalStep[] = [];
  const receipt = (): void => {
    if (current !== LocalInvitationState.RECEIVED_BY_REMOTE) {
      steps.push({ state: LocalInvitationState.RECEIVED_BY_REMOTE, event: 'LocalInvitationReceivedByPeer' });
    }
  };
  switch (snap.state) {
    case InvitationState.SENT:
      if (current === LocalInvitationState.IDLE) steps.push({ state: LocalInvitationState.SENT_TO_REMOTE });
      break;
    case InvitationState.RECEIVED:
    case InvitationState.ACCEPT_PENDING:
      receipt();
      break;
    case InvitationState.ACCEPTED:
      receipt();
      steps.push({ state: LocalInvitationState.ACCEPTED_BY_REMOTE, event: 'LocalInvitationAccepted', response: snap.response });
      break;
    case InvitationState.REFUSED:
      receipt();
      steps.push({ state: LocalInvitationState.REFUSED_BY_REMOTE, event: 'LocalInvitationRefused', response: snap.response });
      break;
    case InvitationState.CANCELED:
      steps.push({ state: LocalInvitationState.CANCELED, event: 'LocalInvitationCanceled' });
      break;
    case InvitationState.FAILED:
      if (snap.reason !== undefined && FAILURES_AFTER_RECEIPT.has(snap.reason)) receipt();
      steps.push({ state: LocalInvitationState.FAILURE, event: 'LocalInvitationFailure', reason: localFailureReason(snap.reason) });
      break;
  }
  return steps;
}

/** The callee's steps from `current` to the snapshot's state (SENT / RECEIVED: none, it has the invitation). */
export function remoteSteps(current: RemoteInvitationState, snap: InvitationSnapshot): RemoteStep[] {
  if (isRemoteEnded(current)) return [];
  switch (snap.state) {
    case InvitationState.SENT:
    case InvitationState.RECEIVED:
      return [];
    case InvitationState.ACCEPT_PENDING:
      return current === RemoteInvitationState.INVITATION_RECEIVED ? [{ state: RemoteInvitationState.ACCEPT_SENT_TO_LOCAL }] : [];
    case InvitationState.ACCEPTED:
      return [{ state: RemoteInvitationState.ACCEPTED, event: 'RemoteInvitationAccepted' }];
    case InvitationState.REFUSED:
      return [{ state: RemoteInvitationState.REFUSED, event: 'RemoteInvitationRefused' }];
    case InvitationState.CANCELED:
      return [{ state: RemoteInvitationState.CANCELED, event: 'RemoteInvitationCanceled' }];
    case InvitationState.FAILED:
      return [{ state: RemoteInvitationState.FAILURE, event: 'RemoteInvitationFailure', reason: remoteFailureReason(snap.reason) }];
  }
}

const SERVER_STATES: ReadonlySet<unknown> = new Set(Object.values(InvitationState));
const FAILURES: ReadonlySet<unknown> = new Set(Object.values(InvitationFailure));

/** Evt.INVITATION data or an INVITE* answer, checked; undefined when malformed. */
export function toSnapshot(data: unknown): InvitationSnapshot | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d['id'] !== 'string' || typeof d['caller'] !== 'string' || typeof d['callee'] !== 'string') return undefined;
  if (!SERVER_STATES.has(d['state'])) return undefined;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const snap: InvitationSnapshot = {
    id: d['id'],
    caller: d['caller'],
    callee: d['callee'],
    content: text(d['content']),
    ch: text(d['ch']),
    response: text(d['response']),
    state: d['state'] as InvitationState,
    ts: typeof d['ts'] === 'number' ? d['ts'] : 0,
  };
  if (FAILURES.has(d['reason'])) snap.reason = d['reason'] as InvitationFailure;
  return snap;
}
