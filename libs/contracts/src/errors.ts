/**
 * Error codes that cross NATS and the wire. The SDK maps each (per operation) to the agora-rtm-sdk
 * 1.x error class and numeric code of spec §6 — see libs/sdk/src/errors.
 * Stable wire values: append, never renumber.
 */
export const ErrorCode = {
  OK: 0,
  UNKNOWN: 1,
  INVALID_ARGUMENT: 2,
  NOT_LOGGED_IN: 3,
  TOO_OFTEN: 4,
  TIMEOUT: 5,
  SIZE_OVERFLOW: 6,
  INVALID_APP_ID: 7,
  INVALID_TOKEN: 8,
  TOKEN_EXPIRED: 9,
  ALREADY_LOGIN: 10,
  REJECTED: 11,
  INVALID_USER_ID: 12,
  INVALID_MESSAGE: 13,
  PEER_UNREACHABLE: 14,
  NOT_IN_CHANNEL: 15,
  EXCEED_LIMIT: 16,
  ALREADY_JOINED: 17,
  JOIN_SAME_CHANNEL_TOO_OFTEN: 18,
  OVERFLOW: 19,
  USER_NOT_FOUND: 20,
  MEDIA_NOT_FOUND: 21,
  INVITATION_ALREADY_END: 22,
  INVITATION_NOT_STARTED: 23,
  INVITATION_ALREADY_ACCEPT: 24,
  INVITATION_ALREADY_SENT: 25,
  UNAVAILABLE: 26,
  UNSUPPORTED_OP: 27,
  /** Metadata: a key named twice in one call, or an add of a key that exists. */
  DUPLICATE_KEY: 28,
  /** Metadata: a majorRevision or item revision that no longer matches (compare-and-set lost). */
  OUTDATED_REVISION: 29,
  /** Metadata: an update of a key that does not exist. */
  KEY_NOT_FOUND: 30,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(ErrorCode).map(([k, v]) => [v, k]));
export function errorCodeName(code: number): string {
  return NAMES[code] ?? `CODE_${code}`;
}

/** An error with a typed code; thrown by services and gateways, carried over NATS as {code, message}. */
export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message ?? errorCodeName(code));
    this.name = 'ParleyError';
  }
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}
