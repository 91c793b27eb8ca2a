import { WS_PATH, isUid } from '@parley/contracts';
import { RtmInvalidArgumentError } from './errors';
import { isLogFilter } from './logger';
import type { RtmConfig } from './types';

/** RtmConfig keys of agora-rtm-sdk 1.6.0, plus Parley's serverUrl. Any other key is an error. */
export const CONFIG_KEYS: readonly (keyof RtmConfig)[] = ['enableLogUpload', 'logFilter', 'enableCloudProxy', 'serverUrl'];

export const DEFAULT_SERVER_URL = `ws://127.0.0.1:8080${WS_PATH}`;

/** Checks an RtmConfig (createInstance, updateConfig, setParameters); throws RtmInvalidArgumentError. */
export function validateConfig(config: unknown, code?: number): RtmConfig {
  if (config === undefined || config === null) return {};
  const fail = (why: string): never => {
    throw new RtmInvalidArgumentError(`Invalid RTM config: ${why}.`, code);
  };
  if (typeof config !== 'object' || Array.isArray(config)) return fail('not an object');
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) fail(`unknown key "${key}"`);
  }
  for (const key of ['enableLogUpload', 'enableCloudProxy'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'boolean') fail(`${key} must be a boolean`);
  }
  if (c['logFilter'] !== undefined && !isLogFilter(c['logFilter'])) fail('logFilter must be a LogFilterType');
  if (c['serverUrl'] !== undefined) {
    try {
      normalizeServerUrls(c['serverUrl']);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return c as RtmConfig;
}

/**
 * A gateway URL list: ws:// or wss:// (http(s):// is turned into ws(s)://); a URL without a path
 * gets WS_PATH. Throws a plain Error on bad input.
 */
export function normalizeServerUrls(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw new Error('serverUrl must be a URL or a non-empty list of URLs');
  return list.map((entry: unknown) => {
    if (typeof entry !== 'string' || entry.trim() === '') throw new Error('serverUrl entries must be non-empty strings');
    let url: URL;
    try {
      url = new URL(entry.trim());
    } catch {
      throw new Error(`invalid serverUrl "${entry}"`);
    }
    if (url.protocol === 'http:') url.protocol = 'ws:';
    else if (url.protocol === 'https:') url.protocol = 'wss:';
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`serverUrl "${entry}" is not a ws:// or wss:// URL`);
    if (url.pathname === '/' || url.pathname === '') url.pathname = WS_PATH;
    url.hash = '';
    return url.toString();
  });
}

/** A non-empty array of at most `max` valid user ids. */
export function isUidList(value: unknown, max: number): value is string[] {
  return Array.isArray(value) && value.length >= 1 && value.length <= max && value.every((id) => isUid(id));
}

/** UTF-8 byte length (the contracts' implementation, shared with the server). */
export { utf8Length } from '@parley/contracts';

/** `map[key] = value`, also for a key named "__proto__" (which must be an own property, not the prototype). */
export function put<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}
