import { Injectable } from '@nestjs/common';
import { PeerState, type AppId } from '@parley/contracts';
import { Subjects, type StatusChange } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { isTracingEnabled } from '@parley/platform/telemetry';

export interface StatusChangeRow {
  appId: string;
  uid: string;
  seq: number;
}

/**
 * Publishes online-status changes on each uid's status subject (Subjects.status): gateways holding
 * a subscriber of that uid listen there. `seq` comes from the database and orders one uid's changes,
 * whichever presence replica published them.
 */
@Injectable()
export class StatusPublisher {
  constructor(private readonly bus: NatsBus) {}

  publish(rows: readonly StatusChangeRow[], state: PeerState): void {
    if (rows.length === 0) return;
    // Trace headers only when traces are exported (every login publishes one change).
    const trace = isTracingEnabled();
    for (const row of rows) {
      const change: StatusChange = [row.uid, state, row.seq];
      this.bus.publish(Subjects.status(row.appId as AppId, row.uid), change, { trace });
    }
  }

  online(rows: readonly StatusChangeRow[]): void {
    this.publish(rows, PeerState.ONLINE);
  }

  unreachable(rows: readonly StatusChangeRow[]): void {
    this.publish(rows, PeerState.UNREACHABLE);
  }

  offline(rows: readonly StatusChangeRow[]): void {
    this.publish(rows, PeerState.OFFLINE);
  }
}
