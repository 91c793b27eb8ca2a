// ── gateway → invitation service ─────────────────────────────────────────────

export interface InvitationCreateRequest {
  appId: string;
  caller: string;
  id: string;
  callee: string;
  content: string;
  ch: string;
}

export interface InvitationActionRequest {
  appId: string;
  /** Caller uid (with id, the invitation's key). */
  caller: string;
  id: string;
  /** Who asks: must be the caller (cancel, confirm-accept) or the callee (received, accept, refuse). */
  uid: string;
  response?: string;
}

/** Subjects.invitation.sync → InvitationSnapshot[]: invitations of a uid (as caller or callee) that are open or ended lately. */
export interface InvitationSyncRequest {
  appId: string;
  uid: string;
}
