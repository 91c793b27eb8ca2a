import { SessionState } from '@parley/contracts/internal';
import type { SessionStatusRow } from './sessions.repository';

export type EffectiveState = 'ONLINE' | 'UNREACHABLE' | 'OFFLINE';

export interface StatusWindows {
  gatewayTtlMs: number;
  reconnectWindowMs: number;
}

/**
 * The one rule for a session's state, from its row and its gateway's heartbeat (times from the
 * database clock, so replicas agree):
 * - its gateway is silent for more than the TTL: UNREACHABLE; OFFLINE once the reconnect window has
 *   passed since the gateway's last heartbeat (the last time anything was heard of the session);
 * - its connection was lost (state UNREACHABLE): OFFLINE after the reconnect window;
 * - otherwise ONLINE.
 */
export function effectiveState(row: SessionStatusRow | undefined, w: StatusWindows): EffectiveState {
  if (!row) return 'OFFLINE';
  const now = row.now.getTime();
  if (!row.heartbeatAt) return 'OFFLINE';
  const silentFor = now - row.heartbeatAt.getTime();
  if (silentFor > w.gatewayTtlMs) return silentFor > w.reconnectWindowMs ? 'OFFLINE' : 'UNREACHABLE';
  if (row.state === SessionState.UNREACHABLE) {
    return now - row.stateSince.getTime() > w.reconnectWindowMs ? 'OFFLINE' : 'UNREACHABLE';
  }
  return 'ONLINE';
}
