import { SessionState } from '@parley/contracts/internal';
import type { StatusWindows } from './session-status';
import type { SessionStatusRow } from './sessions.repository';

/**
 * When a session became OFFLINE by effectiveState(): the `ts` of the `Logout` the sweeper records
 * for it. The sweeper's statement computes the same in SQL (SessionsRepository.sweepOffline); this
 * is the rule written out, checked against effectiveState() by offline-at.spec.ts and against the
 * SQL by the presence integration test.
 * - connection lost (UNREACHABLE) while its gateway was still heartbeating: the end of its reconnect
 *   window, `stateSince + window`;
 * - otherwise its gateway went silent: the window after the last heartbeat;
 * never later than `now` (the sweep may remove a lost session whose gateway went silent meanwhile
 * before effectiveState() calls it OFFLINE: it is OFFLINE from then on).
 */
export function offlineAt(row: Pick<SessionStatusRow, 'state' | 'stateSince' | 'heartbeatAt' | 'now'>, w: StatusWindows): Date {
  const now = row.now.getTime();
  const windowEnd = row.stateSince.getTime() + w.reconnectWindowMs;
  const heartbeat = row.heartbeatAt?.getTime();
  let at: number;
  if (row.state === SessionState.UNREACHABLE && (heartbeat === undefined || windowEnd <= heartbeat + w.gatewayTtlMs)) at = windowEnd;
  else at = heartbeat === undefined ? now : heartbeat + w.reconnectWindowMs;
  return new Date(Math.min(at, now));
}
