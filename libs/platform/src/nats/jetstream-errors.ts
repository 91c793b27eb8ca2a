import type { NatsError } from 'nats';

/** JetStream's API error code for "stream not found" (JSStreamNotFoundErr). */
const STREAM_NOT_FOUND = 10059;

/** The stream does not exist (never created, deleted, or a memory stream lost with its NATS server). */
export function isStreamNotFound(err: unknown): boolean {
  return (err as Partial<NatsError> | null)?.api_error?.err_code === STREAM_NOT_FOUND;
}
