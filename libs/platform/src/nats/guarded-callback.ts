import type { Msg, NatsError } from 'nats';

interface Log {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Calls `settle(value)` for code that must go on whatever a callback does (an ACK's bookkeeping, the
 * rest of a batch): what it throws is logged as "`what` failed", never thrown to the caller.
 */
export function settleLogged<T>(logger: Log, what: string, settle: (value: T) => void, value: T): void {
  try {
    settle(value);
  } catch (err) {
    logger.error(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
  }
}

/**
 * A NATS subscription callback that never lets an exception reach nats.js: thrown inside its
 * message loop, an error closes the connection's reader (every subscriber of the process stops for
 * the reconnect). The message's handling is abandoned and logged; the connection goes on.
 */
export function guardedCallback(logger: Log, handler: (msg: Msg) => void): (err: NatsError | null, msg: Msg) => void {
  return (err, msg) => {
    if (err) {
      logger.warn(`subscription error: ${err.message}`);
      return;
    }
    try {
      handler(msg);
    } catch (e) {
      logger.error(`handling a message on ${msg.subject} failed: ${(e as Error)?.stack ?? String(e)}`);
    }
  };
}
