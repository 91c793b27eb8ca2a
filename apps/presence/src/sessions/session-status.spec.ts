import { effectiveState } from './session-status';
import type { SessionStatusRow } from './sessions.repository';

const w = { gatewayTtlMs: 6_000, reconnectWindowMs: 30_000 };
const at = (ms: number) => new Date(1_000_000 + ms);
const row = (over: Partial<SessionStatusRow>): SessionStatusRow => ({
  uid: 'u',
  state: 0,
  stateSince: at(0),
  heartbeatAt: at(0),
  now: at(1_000),
  ...over,
});

describe('effectiveState', () => {
  it.each<[string, SessionStatusRow | undefined, string]>([
    ['no session', undefined, 'OFFLINE'],
    ['fresh gateway, connected', row({}), 'ONLINE'],
    ['connection lost 10 s ago', row({ state: 1, stateSince: at(0), now: at(10_000), heartbeatAt: at(9_000) }), 'UNREACHABLE'],
    ['connection lost 31 s ago', row({ state: 1, stateSince: at(0), now: at(31_000), heartbeatAt: at(30_000) }), 'OFFLINE'],
    ['gateway silent 7 s', row({ heartbeatAt: at(0), now: at(7_000) }), 'UNREACHABLE'],
    ['gateway silent 29 s', row({ heartbeatAt: at(0), now: at(29_000) }), 'UNREACHABLE'],
    ['gateway silent 30 s', row({ heartbeatAt: at(0), now: at(30_001) }), 'OFFLINE'],
    ['gateway row gone', row({ heartbeatAt: null }), 'OFFLINE'],
  ])('%s → %s', (_what, r, expected) => {
    expect(effectiveState(r, w)).toBe(expected);
  });
});
