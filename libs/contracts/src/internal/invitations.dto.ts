import type { InvitationSnapshot } from '../invitations';
import type { ServiceReply } from './presence.dto';

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

/** Subjects.invitation.syncs: the syncs of a gateway's turn (a reconnect storm is thousands a second), each answered on its own. */
export interface InvitationSyncsRequest {
  syncs: InvitationSyncRequest[];
}

/** One reply per sync of an InvitationSyncsRequest, in its order. */
export interface InvitationSyncsReply {
  results: ServiceReply<InvitationSnapshot[]>[];
}

/** The most syncs one InvitationSyncsRequest may carry. */
export const INVITATION_SYNCS_MAX = 500;
