import { ErrorCode, type WireMessage } from '@parley/contracts';
import { checkMessageBody } from '@parley/delivery';
import type { GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { enforceRate } from '../transport/rate';

export { requireMessageId } from '@parley/delivery';

/**
 * The rules every peer and channel message of a session passes: those of every sender
 * (checkMessageBody: well-formed, at most MESSAGE_MAX_BYTES), and the session's one MESSAGE_RATE
 * budget shared by peer and channel messages.
 */
export function checkOutgoingMessage(session: Session, m: unknown, config: GatewayConfig): asserts m is WireMessage {
  checkMessageBody(m, config.MESSAGE_MAX_BYTES);
  enforceRate(session, 'messages', config.MESSAGE_RATE, ErrorCode.TOO_OFTEN, 'messages');
}
