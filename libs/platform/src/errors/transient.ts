import { ErrorCode, ParleyError } from '@parley/contracts';

/**
 * Failures of the infrastructure rather than of the request: Postgres restarting, out of
 * connections or unreachable, a pool that had no connection in time, the NATS connection closed or
 * reconnecting. A client gets UNAVAILABLE for these (the SDK retries a login that gets it), never
 * UNKNOWN. Prisma 7 wraps driver errors (DriverAdapterError → cause {kind, code}), so the chain of
 * causes is searched.
 */
const TRANSIENT_CODES = new Set([
  // Prisma: can't reach / closed / pool timeout / too many connections
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'P2037',
  // Postgres SQLSTATE: too many connections, admin shutdown, crash shutdown, starting up, connection exceptions
  '53300',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  // sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  // nats.js
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'DISCONNECT',
  'CONNECTION_REFUSED',
]);
const TRANSIENT_KINDS = new Set(['DatabaseNotReachable', 'TooManyConnections', 'ConnectionClosed', 'SocketTimeout', 'DatabaseAccessDenied']);
const TRANSIENT_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|too many clients|database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|connection refused|server closed the connection|Can't reach database server/i;

export function isTransientError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    if (typeof o.code === 'string' && TRANSIENT_CODES.has(o.code)) return true;
    if (typeof o.originalCode === 'string' && TRANSIENT_CODES.has(o.originalCode)) return true;
    if (typeof o.kind === 'string' && TRANSIENT_KINDS.has(o.kind)) return true;
    if (typeof o.message === 'string' && TRANSIENT_MESSAGE.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}

/** The typed error a client gets for `err`: itself when typed, UNAVAILABLE when transient, else UNKNOWN. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  if (isTransientError(err)) return new ParleyError(ErrorCode.UNAVAILABLE, 'a backend is unavailable; retry later', 1_000);
  return new ParleyError(ErrorCode.UNKNOWN, 'internal error');
}
