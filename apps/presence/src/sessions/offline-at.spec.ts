import { SessionState } from '@parley/contracts/internal';
import { offlineAt } from './offline-at';
import { effectiveState, type StatusWindows } from './session-status';
import type { SessionStatusRow } from './sessions.repository';

const w: StatusWindows = { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 };
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

function row(state: number, stateSince: number, heartbeatAt: number | null, now: number): SessionStatusRow {
  return {
    uid: 'u',
    state,
    stateSince: new Date(T0 + stateSince),
    heartbeatAt: heartbeatAt === null ? null : new Date(T0 + heartbeatAt),
    now: new Date(T0 + now),
  };
}

/** The row as effectiveState() sees it at `t` (ms after T0). */
const stateAt = (r: SessionStatusRow, t: number) => effectiveState({ ...r, now: new Date(T0 + t) }, w);

describe('offlineAt', () => {
  // [what, state, stateSince, last heartbeat] (ms after T0); the gateway is silent after its last heartbeat.
  const cases: [string, number, number, number][] = [
    ['connection lost, gateway alive throughout', SessionState.UNREACHABLE, 0, 40_000],
    ['gateway died, session connected', SessionState.ONLINE, 0, 5_000],
    ['connection lost long before its gateway died', SessionState.UNREACHABLE, 0, 25_000],
    ['connection lost shortly before its gateway died', SessionState.UNREACHABLE, 10_000, 12_000],
    ['connection lost at the last heartbeat', SessionState.UNREACHABLE, 12_000, 12_000],
  ];

  it.each(cases)('is the last instant effectiveState() is not OFFLINE, after which it stays OFFLINE: %s', (_what, state, since, heartbeat) => {
    const late = 200_000; // swept long after
    const r = row(state, since, heartbeat, late);
    const at = offlineAt(r, w).getTime() - T0;
    expect(stateAt(r, at)).not.toBe('OFFLINE');
    for (const later of [at + 1, at + 1_000, at + 60_000, late]) expect(stateAt(r, later)).toBe('OFFLINE');
  });

  it('is the sweep time for a lost session the sweeper removes before effectiveState() calls it OFFLINE', () => {
    // Lost at 10 s, its gateway silent since 12 s: effectiveState() says OFFLINE only from 42 s, the
    // sweeper removes it at 40.5 s (its reconnect window is over).
    const r = row(SessionState.UNREACHABLE, 10_000, 12_000, 40_500);
    expect(offlineAt(r, w).getTime() - T0).toBe(40_500);
  });

  it('is the end of the window (lost) or the sweep time (connected) for a session whose gateway row is gone', () => {
    expect(offlineAt(row(SessionState.ONLINE, 0, null, 7_000), w).getTime() - T0).toBe(7_000);
    expect(offlineAt(row(SessionState.UNREACHABLE, 0, null, 50_000), w).getTime() - T0).toBe(30_000);
  });
});
