import { ErrorCode, ID_LIMITS, messageSize, ParleyError, type WireMessage } from '@parley/contracts';
import type { GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { enforceRate } from '../transport/rate';

const MAX_MESSAGE_ID = ID_LIMITS.MESSAGE_ID_MAX;

/** The id a sending SDK gives a message (kept on resends): 1–128 chars. */
export function requireMessageId(id: unknown): string {
  if (typeof id !== 'string' || !id || id.length > MAX_MESSAGE_ID) {
    throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `message id: 1–${MAX_MESSAGE_ID} chars`);
  }
  return id;
}

/**
 * The rules every peer and channel message passes: well-formed, at most MESSAGE_MAX_BYTES, and
 * within the session's one MESSAGE_RATE budget shared by peer and channel messages.
 */
export function checkOutgoingMessage(session: Session, m: unknown, config: GatewayConfig): asserts m is WireMessage {
  const size = messageSize(m);
  if (size === undefined) throw new ParleyError(ErrorCode.INVALID_MESSAGE, 'malformed message');
  if (size > config.MESSAGE_MAX_BYTES) throw new ParleyError(ErrorCode.INVALID_MESSAGE, `message over ${config.MESSAGE_MAX_BYTES} bytes`);
  enforceRate(session, 'messages', config.MESSAGE_RATE, ErrorCode.TOO_OFTEN, 'messages');
}
