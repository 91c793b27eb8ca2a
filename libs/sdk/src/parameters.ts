/**
 * Process-wide SDK settings: AgoraRTM.setServerUrl / setParameter / setArea. Read by each client
 * when it needs them (server URLs at login, timers at createInstance).
 */
import { DEFAULT_TIMERS, type ConnectionTimers } from './connection/timers';
import { setWebSocketImplementation, type WebSocketConstructor } from './connection/transport';
import { RtmInvalidArgumentError } from './errors';
import { DEFAULT_SERVER_URL, normalizeServerUrls } from './validate';

/** Internal/test-only parameter key: partial ConnectionTimers merged into the defaults. */
export const TIMERS_PARAMETER = 'PARLEY_TIMERS';
/** setParameter key for the WebSocket constructor (same as setWebSocketImplementation). */
export const WEBSOCKET_PARAMETER = 'WebSocket';

const parameters = new Map<string, unknown>();
let serverUrls: string[] | undefined;
let timers: ConnectionTimers = { ...DEFAULT_TIMERS };

export function setServerUrl(url: string | string[] | null | undefined): void {
  if (url === null || url === undefined) {
    serverUrls = undefined;
    return;
  }
  try {
    serverUrls = normalizeServerUrls(url);
  } catch (err) {
    throw new RtmInvalidArgumentError(`setServerUrl: ${(err as Error).message}.`);
  }
}

function envServerUrl(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['PARLEY_URL'] || undefined;
}

/** config.serverUrl → AgoraRTM.setServerUrl() → PARLEY_URL (Node) → ws://127.0.0.1:8080/v1/ws. */
export function resolveServerUrls(configUrl: string | string[] | undefined): string[] {
  if (configUrl !== undefined) return normalizeServerUrls(configUrl);
  if (serverUrls) return [...serverUrls];
  const env = envServerUrl();
  if (env)
    return normalizeServerUrls(
      env
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    );
  return [DEFAULT_SERVER_URL];
}

export function setParameter(key: string, value: unknown): void {
  if (typeof key !== 'string' || key === '') throw new RtmInvalidArgumentError('setParameter: key must be a non-empty string.');
  if (key === WEBSOCKET_PARAMETER) {
    setWebSocketImplementation(value as WebSocketConstructor | undefined);
  } else if (key === TIMERS_PARAMETER) {
    if (value !== undefined && value !== null && typeof value !== 'object') {
      throw new RtmInvalidArgumentError(`setParameter: ${TIMERS_PARAMETER} must be an object.`);
    }
    const next: ConnectionTimers = { ...DEFAULT_TIMERS };
    for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if (!(k in DEFAULT_TIMERS) || typeof v !== 'number' || !(v >= 0)) {
        throw new RtmInvalidArgumentError(`setParameter: bad timer ${k}.`);
      }
      next[k as keyof ConnectionTimers] = v;
    }
    timers = next;
  }
  parameters.set(key, value);
}

export function getParameter(key: string): unknown {
  return parameters.get(key);
}

export function currentTimers(): ConnectionTimers {
  return { ...timers };
}
