import type { GatewayConfig } from '../config/gateway.config';

/**
 * The heartbeat interval a new connection is told in its HELLO, given the idle ping rate of the
 * connections open now (Σ 1000 / their interval, per second). A client pings after that long without
 * sending, and each ping costs the gateway a socket read and a write (~25 µs on loopback, mostly kernel
 * time), so a gateway's idle cost is the sum of its clients' ping rates. It budgets
 * HEARTBEAT_PINGS_PER_S: a client is told HEARTBEAT_MS while its pings fit in what is left of the
 * budget, else the shortest whole-second interval that fits, else HEARTBEAT_MAX_MS. The idle rate is
 * thus at most the budget plus (connections past it) / HEARTBEAT_MAX_MS: 8,000 clients at 2 s and
 * 42,000 at 15 s ping 6,800 times a second, not 25,000. A connection keeps the interval it was told
 * (its silence limit is 2 × it + 1 s); when connections close, their share of the budget goes to the
 * next ones.
 */
export function heartbeatInterval(pingRate: number, config: Pick<GatewayConfig, 'HEARTBEAT_MS' | 'HEARTBEAT_MAX_MS' | 'HEARTBEAT_PINGS_PER_S'>): number {
  const base = config.HEARTBEAT_MS;
  const max = Math.max(base, config.HEARTBEAT_MAX_MS);
  const left = config.HEARTBEAT_PINGS_PER_S - pingRate;
  if (1000 / base <= left) return base;
  if (left <= 1000 / max) return max;
  return Math.min(max, Math.max(base, Math.ceil(1000 / left / 1000) * 1000));
}
