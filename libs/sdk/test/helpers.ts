import { WebSocket } from 'ws';
import AgoraRTM from '../src';
import type { RtmClient, RtmConfig } from '../src';
import type { ConnectionTimers } from '../src/connection/timers';

export const APP_ID = '0123456789abcdef0123456789abcdef';

/** Fast timers for tests (the defaults are agora's: 12 s login, 10 s requests, …). */
export const FAST_TIMERS: Partial<ConnectionTimers> = {
  loginTimeoutMs: 1000,
  socketOpenTimeoutMs: 500,
  loginAttemptTimeoutMs: 400,
  requestTimeoutMs: 600,
  renewTokenTimeoutMs: 1000,
  logoutTimeoutMs: 300,
  loginReentryMs: 100,
  backoffInitialMs: 40,
  backoffMaxMs: 200,
  drainGraceMs: 300,
  messageAttemptMs: 300,
  messageTimeoutMs: 1000,
};

export function useFastTimers(extra: Partial<ConnectionTimers> = {}): void {
  AgoraRTM.setParameter('PARLEY_TIMERS', { ...FAST_TIMERS, ...extra });
  AgoraRTM.setWebSocketImplementation(WebSocket);
}

export interface Recorded {
  client: RtmClient;
  states: string[];
  events: string[];
  /** Resolves when the client reaches `state` (optionally with `reason`) after the call. */
  reach(state: string, reason?: string, ms?: number): Promise<void>;
}

const clients: RtmClient[] = [];

export function createClient(serverUrl: string | string[], config: RtmConfig = {}): Recorded {
  const client = AgoraRTM.createInstance(APP_ID, { logFilter: AgoraRTM.LOG_FILTER_OFF, serverUrl, ...config });
  clients.push(client);
  const states: string[] = [];
  const events: string[] = [];
  client.on('ConnectionStateChanged', (state, reason) => states.push(`${state}/${reason}`));
  for (const name of ['TokenExpired', 'TokenPrivilegeWillExpire', 'BannedByServer'] as const) {
    client.on(name, () => events.push(name));
  }
  const reach = (state: string, reason?: string, ms = 4000): Promise<void> =>
    new Promise((resolve, reject) => {
      const want = reason ? `${state}/${reason}` : state;
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${want}; states: ${states.join(', ')}`)), ms);
      const listener = (s: string, r: string): void => {
        if (s === state && (!reason || r === reason)) {
          clearTimeout(timer);
          client.off('ConnectionStateChanged', listener);
          resolve();
        }
      };
      client.on('ConnectionStateChanged', listener);
    });
  return { client, states, events, reach };
}

/** Logs out every client created by createClient (ignores "not logged in"). */
export async function logoutAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.logout().catch(() => undefined)));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: number; serverCode?: number }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: number };
  }
  throw new Error('expected a rejection');
}

/** Resolves when `predicate` holds (polled every 5 ms), or rejects after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}
