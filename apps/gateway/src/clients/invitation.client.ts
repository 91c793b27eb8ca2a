import { Injectable } from '@nestjs/common';
import { type InvitationSnapshot } from '@parley/contracts';
import {
  INVITATION_SYNCS_MAX,
  Subjects,
  type InvitationActionRequest,
  type InvitationCreateRequest,
  type InvitationSyncRequest,
  type InvitationSyncsReply,
  type InvitationSyncsRequest,
} from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';
import { isTracingEnabled } from '@parley/platform/telemetry';
import { TurnBatch } from './turn-batch';

/** A step of an invitation a party asks for (each one idempotent by the invitation's key). */
export type InvitationAction = 'cancel' | 'accept' | 'refuse' | 'received' | 'confirmAccept';

/** Syncs per batch request: a reconnect storm's logins of one turn. */
const SYNCS_PER_REQUEST = Math.min(128, INVITATION_SYNCS_MAX);

/** The gateway's typed view of the invitation service (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class InvitationClient {
  /**
   * The syncs of this event-loop turn (every login that resumes asks for one: a gateway's clients
   * coming back together are thousands), sent as one request and read by one statement per app; one
   * by one while no invitation replica takes batches yet (syncs is newer than sync).
   */
  private readonly syncs = new TurnBatch<InvitationSyncRequest, InvitationSnapshot[]>({
    subject: Subjects.invitation.syncs,
    send: (syncs) => this.services.requestIdempotent<InvitationSyncsReply>(Subjects.invitation.syncs, { syncs } satisfies InvitationSyncsRequest),
    max: SYNCS_PER_REQUEST,
    single: (req) => this.services.requestIdempotent(Subjects.invitation.sync, req),
  });

  constructor(private readonly services: ServiceClient) {}

  create(req: InvitationCreateRequest): Promise<InvitationSnapshot> {
    return this.services.requestIdempotent(Subjects.invitation.create, req);
  }

  act(action: InvitationAction, req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.services.requestIdempotent(Subjects.invitation[action], req);
  }

  /**
   * Invitations of a uid that are open or ended lately (pushed again after a login). Batched with the
   * other syncs of the turn unless traces are exported: then each is its own request, a child of its
   * login's trace.
   */
  sync(req: InvitationSyncRequest): Promise<InvitationSnapshot[]> {
    if (isTracingEnabled()) return this.services.requestIdempotent(Subjects.invitation.sync, req);
    return this.syncs.add(req);
  }
}
