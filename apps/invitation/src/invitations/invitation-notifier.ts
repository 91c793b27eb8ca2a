import { Injectable } from '@nestjs/common';
import { createCodec } from '@parley/contracts';
import { Subjects, UserMsgKind } from '@parley/contracts/internal';
import { InjectNats } from '@parley/platform';
import { traceHeaders } from '@parley/platform/telemetry';
import type { NatsConnection } from 'nats';
import type { InvitationRecord } from './invitations.repository';

const codec = createCodec();

/** Tells both parties of an invitation its new snapshot, on their user subjects (gateways holding their sessions forward it). */
@Injectable()
export class InvitationNotifier {
  constructor(@InjectNats() private readonly nc: NatsConnection) {}

  publish(records: readonly InvitationRecord[]): void {
    if (records.length === 0) return;
    const headers = traceHeaders();
    for (const { appId, snapshot } of records) {
      const body = codec.encode([UserMsgKind.INVITATION, snapshot]);
      this.nc.publish(Subjects.user(appId, snapshot.caller), body, { headers });
      this.nc.publish(Subjects.user(appId, snapshot.callee), body, { headers });
    }
  }
}
