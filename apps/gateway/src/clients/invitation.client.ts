import { Injectable } from '@nestjs/common';
import { type InvitationSnapshot } from '@parley/contracts';
import { Subjects, type InvitationActionRequest, type InvitationCreateRequest, type InvitationSyncRequest } from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** A step of an invitation a party asks for (each one idempotent by the invitation's key). */
export type InvitationAction = 'cancel' | 'accept' | 'refuse' | 'received' | 'confirmAccept';

/** The gateway's typed view of the invitation service (timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class InvitationClient {
  constructor(private readonly services: ServiceClient) {}

  create(req: InvitationCreateRequest): Promise<InvitationSnapshot> {
    return this.services.requestIdempotent(Subjects.invitation.create, req);
  }

  act(action: InvitationAction, req: InvitationActionRequest): Promise<InvitationSnapshot> {
    return this.services.requestIdempotent(Subjects.invitation[action], req);
  }

  /** Invitations of a uid that are open or ended lately (pushed again after a login). */
  sync(req: InvitationSyncRequest): Promise<InvitationSnapshot[]> {
    return this.services.requestIdempotent(Subjects.invitation.sync, req);
  }
}
