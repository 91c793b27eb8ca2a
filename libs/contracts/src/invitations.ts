/**
 * Call invitations on the wire (SDK ⇄ gateway), on user subjects (invitation service → gateways)
 * and between the gateway and the invitation service (Subjects.invitation.*). Browser-safe.
 *
 * The invitation service holds every invitation's state (Postgres, shared by its replicas) and makes
 * each transition with a compare-and-set, so exactly one terminal outcome exists however calls
 * cross. Every change is pushed to both parties as a full snapshot (InvitationSnapshot); the SDK
 * moves its LocalInvitation / RemoteInvitation to the snapshot's state, firing the events of the
 * steps it had not seen yet, and ignores a snapshot that is not ahead of what it knows.
 */

/** Server states of an invitation. Terminal: ACCEPTED, REFUSED, CANCELED, FAILED. */
export const InvitationState = {
  /** Sent; the callee's client has not acknowledged it yet (for ≤ ackTimeout, 30 s). */
  SENT: 'SENT',
  /** The callee's client has it; waiting for an answer (for ≤ expiry, 60 s). */
  RECEIVED: 'RECEIVED',
  /** The callee accepted; waiting for the caller's client to acknowledge the acceptance (≤ 5 s). */
  ACCEPT_PENDING: 'ACCEPT_PENDING',
  ACCEPTED: 'ACCEPTED',
  REFUSED: 'REFUSED',
  CANCELED: 'CANCELED',
  FAILED: 'FAILED',
} as const;
export type InvitationState = (typeof InvitationState)[keyof typeof InvitationState];

export const TERMINAL_INVITATION_STATES: ReadonlySet<string> = new Set(['ACCEPTED', 'REFUSED', 'CANCELED', 'FAILED']);

/** Why an invitation FAILED (the SDK maps each to the caller's and the callee's failure reason). */
export const InvitationFailure = {
  /** The callee was not logged in at send, or one party logged out / went offline before the end. */
  PEER_OFFLINE: 'PEER_OFFLINE',
  /** The callee's client did not acknowledge it within the ack timeout (30 s). */
  PEER_NO_RESPONSE: 'PEER_NO_RESPONSE',
  /** Not answered within the expiry (60 s) after it was received. */
  INVITATION_EXPIRE: 'INVITATION_EXPIRE',
  /** The caller's client did not acknowledge the acceptance in time (5 s). */
  ACCEPT_FAILURE: 'ACCEPT_FAILURE',
} as const;
export type InvitationFailure = (typeof InvitationFailure)[keyof typeof InvitationFailure];

export const INVITATION_LIMITS = {
  /** content and response, UTF-8 bytes */
  TEXT_MAX_BYTES: 8192,
  /** Caller-chosen invitation id. */
  ID_MAX_LENGTH: 128,
} as const;

/** Full state of one invitation, as pushed to both parties (Evt.INVITATION data) and returned by every op. */
export interface InvitationSnapshot {
  id: string;
  caller: string;
  callee: string;
  content: string;
  /** channelId: informational only. */
  ch: string;
  /** The callee's response (accept / refuse), '' before. */
  response: string;
  state: InvitationState;
  /** With state FAILED. */
  reason?: InvitationFailure;
  /** Server time of the last change, Unix ms. */
  ts: number;
}

// ── wire: SDK → gateway ──────────────────────────────────────────────────────

/**
 * Op.INVITE → InvitationSnapshot (SENT, or FAILED/PEER_OFFLINE when the callee is not logged in).
 * Idempotent: a resend with the same id answers the current snapshot.
 */
export interface InviteArgs {
  /** Unique per caller (the SDK uses its message-id scheme). */
  id: string;
  callee: string;
  content?: string;
  ch?: string;
}
/** Op.INVITE_CANCEL → InvitationSnapshot (CANCELED, or the outcome that won the race). Caller only. */
export interface InviteCancelArgs {
  id: string;
}
/** Op.INVITE_ACCEPT / Op.INVITE_REFUSE → InvitationSnapshot (ACCEPT_PENDING / REFUSED, or the outcome that won). Callee only. */
export interface InviteAnswerArgs {
  id: string;
  /** The caller of the invitation (with id, identifies it). */
  caller: string;
  response?: string;
}

/** Evt.INVITATION data (an acknowledged event). */
export type InvitationEvent = InvitationSnapshot;
