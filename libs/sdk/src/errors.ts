/**
 * agora-rtm-sdk 1.x error model (spec §6): promises reject with one of nine Error subclasses whose
 * `name` is the class name, `code` the per-operation number of §6.1 and `serverCode` the Parley wire
 * ErrorCode that caused it (when the server answered).
 */
import { ErrorCode, errorCodeName } from '@parley/contracts';

export interface RtmErrorDetails {
  serverCode?: number;
  originalError?: unknown;
}

export class RtmError extends Error {
  override name = 'RtmError';
  readonly code?: number;
  readonly serverCode?: number;
  readonly originalError?: unknown;

  constructor(message: string, code?: number, details: RtmErrorDetails = {}) {
    let text = message;
    if (code !== undefined) text += ` Error Code ${code}`;
    if (details.serverCode !== undefined) text += `, server Code ${details.serverCode}`;
    super(text);
    this.code = code;
    this.serverCode = details.serverCode;
    this.originalError = details.originalError;
  }
}

// Names are spelled out (not taken from the constructor) so minified bundles keep them.
export class RtmInvalidArgumentError extends RtmError {
  override name = 'RtmInvalidArgumentError';
}
export class RtmInvalidStatusError extends RtmError {
  override name = 'RtmInvalidStatusError';
}
export class RtmLimitExceededError extends RtmError {
  override name = 'RtmLimitExceededError';
}
export class RtmInvokeTooOftenError extends RtmError {
  override name = 'RtmInvokeTooOftenError';
}
export class RtmTimeoutError extends RtmError {
  override name = 'RtmTimeoutError';
}
export class RtmUnauthenticatedError extends RtmError {
  override name = 'RtmUnauthenticatedError';
}
export class RtmUnavailableError extends RtmError {
  override name = 'RtmUnavailableError';
}
export class RtmUnknownError extends RtmError {
  override name = 'RtmUnknownError';
}
export class RtmInternalError extends RtmError {
  override name = 'RtmInternalError';
}

export type RtmErrorClass = new (message: string, code?: number, details?: RtmErrorDetails) => RtmError;

/** Codes shared by most operations. */
export const COMMON_ERR = { NOT_INITIALIZED: 101, USER_NOT_LOGGED_IN: 102 } as const;

/** Per-operation numeric codes of agora-rtm-sdk 1.6.0 (spec §6.1). */
export const LOGIN_ERR = {
  UNKNOWN: 1,
  REJECTED: 2,
  INVALID_ARGUMENT: 3,
  INVALID_APP_ID: 4,
  INVALID_TOKEN: 5,
  TOKEN_EXPIRED: 6,
  NOT_AUTHORIZED: 7,
  ALREADY_LOGIN: 8,
  TIMEOUT: 9,
  TOO_OFTEN: 10,
  ABORTED_BY_LOGOUT: 201,
} as const;
export const LOGOUT_ERR = { USER_NOT_LOGGED_IN: 102 } as const;
export const RENEW_TOKEN_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  REJECTED: 3,
  TOO_OFTEN: 4,
  TOKEN_EXPIRED: 5,
  INVALID_TOKEN: 6,
  USER_NOT_LOGGED_IN: 102,
  ABORTED_BY_LOGOUT: 201,
} as const;
export const PEER_MESSAGE_ERR = {
  FAILURE: 1,
  TIMEOUT: 2,
  PEER_UNREACHABLE: 3,
  CACHED_BY_SERVER: 4,
  TOO_OFTEN: 5,
  INVALID_USERID: 6,
  INVALID_MESSAGE: 7,
  INCOMPATIBLE_MESSAGE: 8,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const CHANNEL_MESSAGE_ERR = {
  FAILURE: 1,
  TIMEOUT: 2,
  TOO_OFTEN: 3,
  INVALID_MESSAGE: 4,
  NOT_IN_CHANNEL: 5,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const JOIN_CHANNEL_ERR = {
  FAILURE: 1,
  REJECTED: 2,
  INVALID_ARGUMENT: 3,
  TIMEOUT: 4,
  EXCEED_LIMIT: 5,
  ALREADY_JOINED: 6,
  TOO_OFTEN: 7,
  JOIN_SAME_CHANNEL_TOO_OFTEN: 8,
  USER_NOT_LOGGED_IN: 102,
  ABORTED_BY_LEAVE: 201,
  ALREADY_JOINED_CHANNEL_OF_SAME_ID: 202,
} as const;
export const LEAVE_CHANNEL_ERR = { FAILURE: 1, REJECTED: 2, NOT_IN_CHANNEL: 3, KICKED: 4, USER_NOT_LOGGED_IN: 102 } as const;
export const GET_MEMBERS_ERR = {
  FAILURE: 1,
  REJECTED: 2,
  TIMEOUT: 3,
  TOO_OFTEN: 4,
  NOT_IN_CHANNEL: 5,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const CREATE_CHANNEL_ERR = { INVALID_ARGUMENT: 1 } as const;
export const CREATE_INSTANCE_ERR = { INVALID_ARGUMENT: 1 } as const;
export const INVITATION_API_CALL_ERR = {
  INVALID_ARGUMENT: 1,
  NOT_STARTED: 2,
  ALREADY_END: 3,
  ALREADY_ACCEPT: 4,
  ALREADY_SENT: 5,
} as const;
export const ATTRIBUTE_OPERATION_ERR = {
  NOT_READY: 1,
  FAILURE: 2,
  INVALID_ARGUMENT: 3,
  SIZE_OVERFLOW: 4,
  TOO_OFTEN: 5,
  USER_NOT_FOUND: 6,
  TIMEOUT: 7,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const QUERY_PEERS_ONLINE_STATUS_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  REJECTED: 3,
  TIMEOUT: 4,
  TOO_OFTEN: 5,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const GET_CHANNEL_MEMBER_COUNT_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  TOO_OFTEN: 3,
  TIMEOUT: 4,
  EXCEED_LIMIT: 5,
  NOT_INITIALIZED: 101,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const PEER_SUBSCRIPTION_STATUS_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  REJECTED: 3,
  TIMEOUT: 4,
  TOO_OFTEN: 5,
  OVERFLOW: 6,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const QUERY_PEERS_BY_SUBSCRIPTION_OPTION_ERR = {
  FAILURE: 1,
  TIMEOUT: 2,
  TOO_OFTEN: 3,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const METADATA_OPERATION_ERR = {
  FAILURE: 1,
  INVALID_USER_ID: 2,
  INVALID_ARGUMENT: 3,
  SIZE_OVERFLOW: 4,
  DUPLICATE_KEY: 5,
  TOO_OFTEN: 6,
  TIMEOUT: 7,
  OUTDATE_REVISION: 8,
  NOT_IN_CHANNEL: 9,
  NOT_INITIALIZED: 101,
  USER_NOT_LOGGED_IN: 102,
} as const;
export const METADATA_SUBSCRIPTION_ERR = {
  FAILURE: 1,
  TIMEOUT: 2,
  INVALID_ARGUMENT: 3,
  TOO_OFTEN: 4,
  OVERFLOW: 5,
  NOT_INITIALIZED: 101,
  USER_NOT_LOGGED_IN: 102,
} as const;
/** Parley: media upload/download (agora-rtm-sdk 1.4.5 had no public numeric table for them). */
export const MEDIA_OPERATION_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  SIZE_OVERFLOW: 3,
  TOO_OFTEN: 4,
  TIMEOUT: 5,
  CANCELED: 6,
  NOT_FOUND: 7,
  USER_NOT_LOGGED_IN: 102,
} as const;

/**
 * Parley: message history (RtmChannel.getHistory, RtmClient.getPeerHistory — a Parley addition;
 * agora-rtm-sdk 1.x has no client-side history). Numbered like GET_MEMBERS_ERR where they overlap.
 */
export const HISTORY_OPERATION_ERR = {
  FAILURE: 1,
  INVALID_ARGUMENT: 2,
  TIMEOUT: 3,
  TOO_OFTEN: 4,
  NOT_IN_CHANNEL: 5,
  USER_NOT_LOGGED_IN: 102,
} as const;

export const OPERATION_ERRORS = {
  LOGIN: LOGIN_ERR,
  LOGOUT: LOGOUT_ERR,
  RENEW_TOKEN: RENEW_TOKEN_ERR,
  PEER_MESSAGE: PEER_MESSAGE_ERR,
  CHANNEL_MESSAGE: CHANNEL_MESSAGE_ERR,
  JOIN_CHANNEL: JOIN_CHANNEL_ERR,
  LEAVE_CHANNEL: LEAVE_CHANNEL_ERR,
  GET_MEMBERS: GET_MEMBERS_ERR,
  CREATE_CHANNEL: CREATE_CHANNEL_ERR,
  CREATE_INSTANCE: CREATE_INSTANCE_ERR,
  INVITATION_API_CALL: INVITATION_API_CALL_ERR,
  ATTRIBUTE_OPERATION: ATTRIBUTE_OPERATION_ERR,
  QUERY_PEERS_ONLINE_STATUS: QUERY_PEERS_ONLINE_STATUS_ERR,
  GET_CHANNEL_MEMBER_COUNT: GET_CHANNEL_MEMBER_COUNT_ERR,
  PEER_SUBSCRIPTION_STATUS: PEER_SUBSCRIPTION_STATUS_ERR,
  QUERY_PEERS_BY_SUBSCRIPTION_OPTION: QUERY_PEERS_BY_SUBSCRIPTION_OPTION_ERR,
  METADATA_OPERATION: METADATA_OPERATION_ERR,
  METADATA_SUBSCRIPTION: METADATA_SUBSCRIPTION_ERR,
  MEDIA_OPERATION: MEDIA_OPERATION_ERR,
  HISTORY_OPERATION: HISTORY_OPERATION_ERR,
} as const;
export type Operation = keyof typeof OPERATION_ERRORS;

/** Which op-table names a wire ErrorCode may land on, first match wins; else the op's FAILURE/UNKNOWN. */
const CODE_ALIASES: Partial<Record<ErrorCode, readonly string[]>> = {
  [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN'],
  [ErrorCode.INVALID_USER_ID]: ['INVALID_USER_ID', 'INVALID_USERID', 'INVALID_ARGUMENT'],
  [ErrorCode.INVALID_MESSAGE]: ['INVALID_MESSAGE', 'INVALID_ARGUMENT'],
  [ErrorCode.SIZE_OVERFLOW]: ['SIZE_OVERFLOW', 'INVALID_MESSAGE', 'EXCEED_LIMIT', 'INVALID_ARGUMENT'],
  [ErrorCode.EXCEED_LIMIT]: ['EXCEED_LIMIT', 'OVERFLOW', 'SIZE_OVERFLOW'],
  [ErrorCode.OVERFLOW]: ['OVERFLOW', 'EXCEED_LIMIT', 'SIZE_OVERFLOW'],
  [ErrorCode.USER_NOT_FOUND]: ['USER_NOT_FOUND', 'INVALID_USER_ID', 'INVALID_USERID', 'INVALID_ARGUMENT'],
  [ErrorCode.MEDIA_NOT_FOUND]: ['NOT_FOUND', 'INVALID_ARGUMENT'],
  [ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN]: ['JOIN_SAME_CHANNEL_TOO_OFTEN', 'TOO_OFTEN'],
  [ErrorCode.INVITATION_ALREADY_END]: ['ALREADY_END'],
  [ErrorCode.INVITATION_NOT_STARTED]: ['NOT_STARTED'],
  [ErrorCode.INVITATION_ALREADY_ACCEPT]: ['ALREADY_ACCEPT'],
  [ErrorCode.INVITATION_ALREADY_SENT]: ['ALREADY_SENT'],
};

const CLASS_BY_CODE: Partial<Record<ErrorCode, RtmErrorClass>> = {
  [ErrorCode.UNKNOWN]: RtmUnknownError,
  [ErrorCode.INVALID_ARGUMENT]: RtmInvalidArgumentError,
  [ErrorCode.NOT_LOGGED_IN]: RtmInvalidStatusError,
  [ErrorCode.TOO_OFTEN]: RtmInvokeTooOftenError,
  [ErrorCode.TIMEOUT]: RtmTimeoutError,
  [ErrorCode.SIZE_OVERFLOW]: RtmLimitExceededError,
  [ErrorCode.INVALID_APP_ID]: RtmUnauthenticatedError,
  [ErrorCode.INVALID_TOKEN]: RtmUnauthenticatedError,
  [ErrorCode.TOKEN_EXPIRED]: RtmUnauthenticatedError,
  [ErrorCode.ALREADY_LOGIN]: RtmInvalidStatusError,
  [ErrorCode.REJECTED]: RtmUnknownError,
  [ErrorCode.INVALID_USER_ID]: RtmInvalidArgumentError,
  [ErrorCode.INVALID_MESSAGE]: RtmInvalidArgumentError,
  [ErrorCode.PEER_UNREACHABLE]: RtmUnavailableError,
  [ErrorCode.NOT_IN_CHANNEL]: RtmInvalidStatusError,
  [ErrorCode.EXCEED_LIMIT]: RtmLimitExceededError,
  [ErrorCode.ALREADY_JOINED]: RtmInvalidStatusError,
  [ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN]: RtmInvokeTooOftenError,
  [ErrorCode.OVERFLOW]: RtmLimitExceededError,
  [ErrorCode.USER_NOT_FOUND]: RtmInvalidArgumentError,
  [ErrorCode.MEDIA_NOT_FOUND]: RtmInvalidArgumentError,
  [ErrorCode.INVITATION_ALREADY_END]: RtmInvalidStatusError,
  [ErrorCode.INVITATION_NOT_STARTED]: RtmInvalidStatusError,
  [ErrorCode.INVITATION_ALREADY_ACCEPT]: RtmInvalidStatusError,
  [ErrorCode.INVITATION_ALREADY_SENT]: RtmInvalidStatusError,
  [ErrorCode.UNAVAILABLE]: RtmUnavailableError,
  [ErrorCode.UNSUPPORTED_OP]: RtmInternalError,
};

/** Per-operation class overrides: a rejected login / token renewal is an authentication failure. */
const CLASS_OVERRIDES: Partial<Record<Operation, Partial<Record<ErrorCode, RtmErrorClass>>>> = {
  LOGIN: { [ErrorCode.REJECTED]: RtmUnauthenticatedError, [ErrorCode.NOT_LOGGED_IN]: RtmUnknownError },
  RENEW_TOKEN: { [ErrorCode.REJECTED]: RtmUnauthenticatedError },
};

/**
 * Operations with a closed mapping: each listed wire code → [op-table name, class]; every other
 * wire code is the op's FAILURE (1) as RtmUnknownError. Peer messages (docs/protocol.md §10) and
 * channels (§11).
 */
const CLOSED_TABLES: Partial<Record<Operation, Partial<Record<ErrorCode, readonly [string, RtmErrorClass]>>>> = {
  PEER_MESSAGE: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmLimitExceededError],
    [ErrorCode.INVALID_USER_ID]: ['INVALID_USERID', RtmInvalidArgumentError],
    [ErrorCode.INVALID_MESSAGE]: ['INVALID_MESSAGE', RtmInvalidArgumentError],
    [ErrorCode.SIZE_OVERFLOW]: ['INVALID_MESSAGE', RtmInvalidArgumentError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
  },
  JOIN_CHANNEL: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.INVALID_ARGUMENT]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.EXCEED_LIMIT]: ['EXCEED_LIMIT', RtmLimitExceededError],
    [ErrorCode.ALREADY_JOINED]: ['ALREADY_JOINED', RtmInvalidStatusError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.JOIN_SAME_CHANNEL_TOO_OFTEN]: ['JOIN_SAME_CHANNEL_TOO_OFTEN', RtmInvokeTooOftenError],
  },
  LEAVE_CHANNEL: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.NOT_IN_CHANNEL]: ['NOT_IN_CHANNEL', RtmInvalidStatusError],
    // LEAVE_CHANNEL_ERR has no TIMEOUT: FAILURE (1), but as a timeout.
    [ErrorCode.TIMEOUT]: ['FAILURE', RtmTimeoutError],
  },
  CHANNEL_MESSAGE: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmLimitExceededError],
    [ErrorCode.INVALID_MESSAGE]: ['INVALID_MESSAGE', RtmInvalidArgumentError],
    [ErrorCode.SIZE_OVERFLOW]: ['INVALID_MESSAGE', RtmInvalidArgumentError],
    [ErrorCode.NOT_IN_CHANNEL]: ['NOT_IN_CHANNEL', RtmInvalidStatusError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
  },
  GET_MEMBERS: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.NOT_IN_CHANNEL]: ['NOT_IN_CHANNEL', RtmInvalidStatusError],
  },
  // agora-rtm-sdk 1.6.0 publishes the numbers, not the classes: these follow the attribute ops'.
  METADATA_OPERATION: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.INVALID_ARGUMENT]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.INVALID_USER_ID]: ['INVALID_USER_ID', RtmInvalidArgumentError],
    [ErrorCode.SIZE_OVERFLOW]: ['SIZE_OVERFLOW', RtmLimitExceededError],
    [ErrorCode.DUPLICATE_KEY]: ['DUPLICATE_KEY', RtmInvalidArgumentError],
    // 1.6.0 has no "no such key": an update of a missing key is an invalid argument (serverCode tells).
    [ErrorCode.KEY_NOT_FOUND]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.OUTDATED_REVISION]: ['OUTDATE_REVISION', RtmInvalidStatusError],
    [ErrorCode.NOT_IN_CHANNEL]: ['NOT_IN_CHANNEL', RtmInvalidStatusError],
    [ErrorCode.UNAVAILABLE]: ['FAILURE', RtmUnavailableError],
  },
  METADATA_SUBSCRIPTION: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.INVALID_ARGUMENT]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.INVALID_USER_ID]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.OVERFLOW]: ['OVERFLOW', RtmLimitExceededError],
    [ErrorCode.UNAVAILABLE]: ['FAILURE', RtmUnavailableError],
  },
  HISTORY_OPERATION: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.INVALID_ARGUMENT]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.INVALID_USER_ID]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.NOT_IN_CHANNEL]: ['NOT_IN_CHANNEL', RtmInvalidStatusError],
    [ErrorCode.UNAVAILABLE]: ['FAILURE', RtmUnavailableError],
  },
  GET_CHANNEL_MEMBER_COUNT: {
    [ErrorCode.NOT_LOGGED_IN]: ['USER_NOT_LOGGED_IN', RtmInvalidStatusError],
    [ErrorCode.INVALID_ARGUMENT]: ['INVALID_ARGUMENT', RtmInvalidArgumentError],
    [ErrorCode.TOO_OFTEN]: ['TOO_OFTEN', RtmInvokeTooOftenError],
    [ErrorCode.TIMEOUT]: ['TIMEOUT', RtmTimeoutError],
    [ErrorCode.EXCEED_LIMIT]: ['EXCEED_LIMIT', RtmLimitExceededError],
  },
};

function opCodeFor(op: Operation, code: number): number {
  const table = OPERATION_ERRORS[op] as Record<string, number>;
  const names = CODE_ALIASES[code as ErrorCode] ?? [errorCodeName(code)];
  for (const name of names) if (table[name] !== undefined) return table[name];
  return table['FAILURE'] ?? table['UNKNOWN'] ?? 1;
}

/**
 * The agora-style error for a wire ErrorCode answered to `op` (or raised locally with the same
 * meaning, e.g. a client-side timeout: then pass `fromServer: false`).
 */
export function rtmError(op: Operation, code: number, message?: string, fromServer = true): RtmError {
  const text = message || errorCodeName(code).toLowerCase().replace(/_/g, ' ');
  const details = fromServer ? { serverCode: code } : {};
  const closed = CLOSED_TABLES[op];
  if (closed) {
    const table = OPERATION_ERRORS[op] as Record<string, number>;
    const [name, cls] = closed[code as ErrorCode] ?? ['FAILURE', RtmUnknownError];
    return new cls(`${op}: ${text}.`, table[name] ?? table['FAILURE'] ?? 1, details);
  }
  const cls = CLASS_OVERRIDES[op]?.[code as ErrorCode] ?? CLASS_BY_CODE[code as ErrorCode] ?? RtmUnknownError;
  return new cls(`${op}: ${text}.`, opCodeFor(op, code), details);
}

/** The op's "not logged in" error (code 102 where the op defines it). */
export function notLoggedIn(op: Operation): RtmError {
  return new RtmInvalidStatusError(`${op}: the client is not logged in.`, opCodeFor(op, ErrorCode.NOT_LOGGED_IN));
}

/** Used when logout() ends a pending call: the op's ABORTED_BY_LOGOUT (201) where defined, else 102. */
export function abortedByLogout(op: Operation): RtmError {
  const table = OPERATION_ERRORS[op] as Record<string, number>;
  const code = table['ABORTED_BY_LOGOUT'] ?? table['USER_NOT_LOGGED_IN'] ?? opCodeFor(op, ErrorCode.UNKNOWN);
  return new RtmInvalidStatusError(`${op}: aborted by logout.`, code);
}

export function notImplemented(method: string, version: string): RtmUnknownError {
  const err = new RtmUnknownError(`not implemented yet in Parley ${version}`);
  Object.defineProperty(err, 'method', { value: method, enumerable: false });
  return err;
}
