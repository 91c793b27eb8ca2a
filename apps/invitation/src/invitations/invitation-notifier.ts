import { Injectable } from '@nestjs/common';
import { Subjects, UserMsgKind } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import type { InvitationRecord } from './invitations.repository';

/** Tells both parties of an invitation its new snapshot, on their user subjects (gateways holding their sessions forward it). */
@Injectable()
export class InvitationNotifier {
  constructor(private readonly bus: NatsBus) {}

  publish(records: readonly InvitationRecord[]): void {
    if (records.length === 0) return;
    for (const { appId, snapshot } of records) {
      this.bus.publish([Subjects.user(appId, snapshot.caller), Subjects.user(appId, snapshot.callee)], [UserMsgKind.INVITATION, snapshot], { trace: true });
    }
  }
}
