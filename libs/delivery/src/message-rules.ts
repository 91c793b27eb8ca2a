import { ErrorCode, ID_LIMITS, messageSize, ParleyError, type WireMessage } from '@parley/contracts';

const MAX_MESSAGE_ID = ID_LIMITS.MESSAGE_ID_MAX;

/** The id a sender gives a message (kept on resends, so receivers drop duplicates): 1–128 chars. */
export function requireMessageId(id: unknown): string {
  if (typeof id !== 'string' || !id || id.length > MAX_MESSAGE_ID) {
    throw new ParleyError(ErrorCode.INVALID_ARGUMENT, `message id: 1–${MAX_MESSAGE_ID} chars`);
  }
  return id;
}

/** Every peer and channel message, whoever sends it (an SDK session, the server API): well-formed and at most `maxBytes`. */
export function checkMessageBody(m: unknown, maxBytes: number): asserts m is WireMessage {
  const size = messageSize(m);
  if (size === undefined) throw new ParleyError(ErrorCode.INVALID_MESSAGE, 'malformed message');
  if (size > maxBytes) throw new ParleyError(ErrorCode.INVALID_MESSAGE, `message over ${maxBytes} bytes`);
}
