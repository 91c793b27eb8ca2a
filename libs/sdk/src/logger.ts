import type { LogFilterType } from './types';

/** agora-rtm-sdk 1.x log filters (spec §5.2). Frozen so apps cannot change the shared objects. */
export const LOG_FILTER_OFF: LogFilterType = Object.freeze({ error: false, warn: false, info: false, track: false, debug: false });
export const LOG_FILTER_ERROR: LogFilterType = Object.freeze({ error: true, warn: false, info: false, track: false, debug: false });
export const LOG_FILTER_WARNING: LogFilterType = Object.freeze({ error: true, warn: true, info: false, track: false, debug: false });
export const LOG_FILTER_INFO: LogFilterType = Object.freeze({ error: true, warn: true, info: true, track: false, debug: false });
export const LOG_FILTER_DEBUG: LogFilterType = Object.freeze({ error: true, warn: true, info: true, track: true, debug: true });

const FILTER_KEYS = ['error', 'warn', 'info', 'track', 'debug'] as const;

export function isLogFilter(value: unknown): value is LogFilterType {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return FILTER_KEYS.every((k) => v[k] === undefined || typeof v[k] === 'boolean');
}

/** A filter with every flag set (missing flags read as false). */
export function normalizeLogFilter(value: LogFilterType): LogFilterType {
  return { error: !!value.error, warn: !!value.warn, info: !!value.info, track: !!value.track, debug: !!value.debug };
}

/** Keys whose values never reach a log line. */
const SECRET_KEYS = /token|secret|password|signature/i;

/** Renders log arguments; secrets (token fields, strings that look like 006/007 tokens) are masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return /^00[67][A-Za-z0-9+/=]{20,}$/.test(value) ? '***' : value;
  if (value instanceof Error || value === null || typeof value !== 'object' || depth > 3) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? (v ? '***' : v) : redact(v, depth + 1);
  return out;
}

export type LogSink = Pick<Console, 'error' | 'warn' | 'info' | 'debug'>;

/** One per RtmClient: `[parley] <instance>[ <uid>]: message`, filtered by the client's logFilter. */
export class Logger {
  private filter: LogFilterType = LOG_FILTER_INFO;
  uid?: string;

  constructor(
    private readonly instanceId: string,
    private readonly sink: LogSink = console,
  ) {}

  setFilter(filter: LogFilterType): void {
    this.filter = normalizeLogFilter(filter);
  }

  error(message: string, ...args: unknown[]): void {
    if (this.filter.error) this.sink.error(this.prefix(message), ...args.map((a) => redact(a)));
  }
  warn(message: string, ...args: unknown[]): void {
    if (this.filter.warn) this.sink.warn(this.prefix(message), ...args.map((a) => redact(a)));
  }
  info(message: string, ...args: unknown[]): void {
    if (this.filter.info) this.sink.info(this.prefix(message), ...args.map((a) => redact(a)));
  }
  /** Agora's "track" category: API call traces. */
  track(message: string, ...args: unknown[]): void {
    if (this.filter.track) this.sink.debug(this.prefix(message), ...args.map((a) => redact(a)));
  }
  debug(message: string, ...args: unknown[]): void {
    if (this.filter.debug) this.sink.debug(this.prefix(message), ...args.map((a) => redact(a)));
  }

  private prefix(message: string): string {
    return `[parley] ${this.instanceId.slice(0, 8)}${this.uid ? ` ${this.uid}` : ''}: ${message}`;
  }
}
