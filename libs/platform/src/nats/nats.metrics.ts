import { ErrorCode, errorCodeName, ParleyError } from '@parley/contracts';
import { serviceOperation, type ServiceReply } from '@parley/contracts/internal';
import { CellMap, counter, histogram, LATENCY_SECONDS_BUCKETS, type CounterCell } from '../telemetry/metrics';

/** Service requests over NATS, in every app: attributes are the operation (subject without prefix) and a result. */
const requestDuration = histogram(
  'parley.nats.request_duration_seconds',
  'Service requests sent over NATS (ServiceClient), from sending to the answer, by operation',
  's',
  LATENCY_SECONDS_BUCKETS,
);
const requestFailures = counter(
  'parley.nats.request_failures',
  "Service requests sent that failed, by operation and error (TIMEOUT, UNAVAILABLE or the service's error code)",
);
const handled = counter('parley.rpc.handled', 'Service requests this app answered, by operation and result (ok or the error code name)');

const durations = requestDuration.keyed((subject: string) => ({ operation: serviceOperation(subject) }));

/** subject → code → cell: two Map lookups per request, no allocation once a combination was seen. */
function byCode(label: 'error' | 'result', count: typeof handled): CellMap<string, CellMap<number, CounterCell>> {
  return new CellMap((subject: string) => {
    const operation = serviceOperation(subject);
    return count.keyed((code: number) => ({ operation, [label]: code === ErrorCode.OK ? 'ok' : errorCodeName(code) }));
  });
}
const failures = byCode('error', requestFailures);
const results = byCode('result', handled);

/** A request sent at `startedAt` (performance.now()) was answered, or failed with `error`. */
export function recordServiceRequest(subject: string, startedAt: number, error?: unknown): void {
  durations.get(subject).record((performance.now() - startedAt) / 1000);
  if (error !== undefined)
    failures
      .get(subject)
      .get(error instanceof ParleyError ? error.code : ErrorCode.UNKNOWN)
      .add();
}

/** A request this app answered (RpcInterceptor, and raw subjects answered in the same envelope). */
export function countHandledRequest(subject: string, reply: ServiceReply<unknown>): void {
  results
    .get(subject)
    .get(reply.ok ? ErrorCode.OK : reply.error.code)
    .add();
}
