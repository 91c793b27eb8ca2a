/** Short heartbeats and windows so the end-to-end suites see presence changes in seconds, not half a minute. */
export const FAST_TIMERS: Record<string, string> = {
  HEARTBEAT_MS: '500',
  GATEWAY_HEARTBEAT_MS: '500',
  GATEWAY_TTL_MS: '3000',
  RECONNECT_WINDOW_MS: '3000',
  SWEEP_INTERVAL_MS: '500',
};
