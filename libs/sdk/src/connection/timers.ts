import { MESSAGE_RATE } from '../rate-window';

/**
 * Every client-side time limit (spec §7.3), in ms. Defaults match agora-rtm-sdk 1.6.0.
 * Tests shorten them with the internal parameter `AgoraRTM.setParameter('PARLEY_TIMERS', {...})`
 * (merged into the defaults; read by each client at createInstance).
 */
export interface ConnectionTimers {
  /** login() fails with LOGIN_TIMEOUT when not logged in by then. */
  loginTimeoutMs: number;
  /** WebSocket open, per attempt. */
  socketOpenTimeoutMs: number;
  /** HELLO + LOGIN answer after the socket opened, per attempt. */
  loginAttemptTimeoutMs: number;
  /** Generic request deadline (across reconnects). */
  requestTimeoutMs: number;
  renewTokenTimeoutMs: number;
  /** logout() waits this long for the server's LOGOUT answer before closing anyway. */
  logoutTimeoutMs: number;
  /** A second login() within this time is TOO_OFTEN. */
  loginReentryMs: number;
  /** Reconnect backoff: first delay and cap (jittered, doubling). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** After a gateway drain (Evt.RECONNECT), the old socket is closed at the latest after this. */
  drainGraceMs: number;
  /** Peer/channel message: wait this long for the server's answer, then send the same message again. */
  messageAttemptMs: number;
  /** Peer/channel message: overall deadline (across attempts and reconnects), then TIMEOUT. */
  messageTimeoutMs: number;
  /** Peer + channel messages allowed per window (agora-rtm 1.x: 180 per 3 s); benchmarks lift it. */
  messagesPerWindow: number;
  messageWindowMs: number;
  /** Files and images: progress is reported at most this often, and only when bytes moved since. */
  mediaProgressMs: number;
  /**
   * MemberCountUpdated at most once per this interval per channel (the join-time count included; a
   * count pushed sooner is held and the latest emitted when the interval ends), and once per
   * `memberCountIntervalLargeMs` above 512 members — agora-rtm 1.x's documented cadence.
   */
  memberCountIntervalMs: number;
  memberCountIntervalLargeMs: number;
}

export const DEFAULT_TIMERS: Readonly<ConnectionTimers> = Object.freeze({
  loginTimeoutMs: 12_000,
  socketOpenTimeoutMs: 7_000,
  loginAttemptTimeoutMs: 6_000,
  requestTimeoutMs: 10_000,
  renewTokenTimeoutMs: 20_000,
  logoutTimeoutMs: 2_000,
  loginReentryMs: 500,
  backoffInitialMs: 300,
  backoffMaxMs: 5_000,
  drainGraceMs: 5_000,
  messageAttemptMs: 6_000,
  messageTimeoutMs: 10_000,
  messagesPerWindow: MESSAGE_RATE.max,
  messageWindowMs: MESSAGE_RATE.windowMs,
  mediaProgressMs: 1_000,
  memberCountIntervalMs: 1_000,
  memberCountIntervalLargeMs: 3_000,
});

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done);
  });
}
