import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { type ServiceReply } from '@parley/contracts/internal';
import { SpanKind } from '@opentelemetry/api';
import { ErrorCode as NatsErrorCode, RequestStrategy, type NatsConnection, type NatsError } from 'nats';
import { rpcCodec } from './msgpack-serialization';
import { isTracingEnabled, traceHeaders, withSpan } from '../telemetry/nats-context';
import { recordServiceRequest } from './nats.metrics';
import { InjectNats } from './nats.tokens';
import { NO_RESPONDERS, RequestMux, TIMED_OUT } from './request-mux';
import { replyData } from './service-reply';

let nextId = 0;

/**
 * UNAVAILABLE because nothing subscribes the subject (no replica runs, or none that knows it yet: a
 * rollout of a new subject), as opposed to a service that answered UNAVAILABLE itself.
 */
export class NoRespondersError extends ParleyError {
  constructor(subject: string) {
    super(ErrorCode.UNAVAILABLE, `no ${subject} replica is running`);
  }
}

/** Injection token of the default request timeout (NatsModule.forRoot's serviceTimeoutMs). */
export const SERVICE_TIMEOUT_MS = Symbol('SERVICE_TIMEOUT_MS');
export const DEFAULT_SERVICE_TIMEOUT_MS = 5_000;

interface NestReply<T> {
  response?: ServiceReply<T>;
  err?: unknown;
}

/**
 * Request/reply and events to Parley services (Nest microservices on NATS), speaking Nest's NATS
 * envelope ({pattern, data, id} → {response, isDisposed}) in MessagePack over the process's single connection.
 * Errors come back as typed ParleyError codes; no responder or no answer is UNAVAILABLE/TIMEOUT.
 * Every request's duration and failure is counted by operation (parley_nats_request_*).
 */
@Injectable()
export class ServiceClient {
  private mux?: RequestMux;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @Optional() @Inject(SERVICE_TIMEOUT_MS) private readonly defaultTimeoutMs: number = DEFAULT_SERVICE_TIMEOUT_MS,
  ) {}

  /** The timeout a request gets unless it names its own (from config: SERVICE_TIMEOUT_MS). */
  get timeoutMs(): number {
    return this.defaultTimeoutMs;
  }

  /**
   * For idempotent requests: when the replica that took it dies (no answer) or none answers yet,
   * ask again once — the queue group hands it to a live replica.
   */
  async requestIdempotent<T>(subject: string, data: unknown, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    try {
      return await this.request<T>(subject, data, timeoutMs);
    } catch (err) {
      const code = (err as ParleyError).code;
      if (code !== ErrorCode.TIMEOUT && code !== ErrorCode.UNAVAILABLE) throw err;
      return this.request<T>(subject, data, timeoutMs);
    }
  }

  request<T>(subject: string, data: unknown, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    // No span when none is recorded (a caller's trace context still travels in the headers).
    if (!isTracingEnabled()) return this.timed<T>(subject, data, timeoutMs);
    const attributes = {
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'request',
    };
    return withSpan(`send ${subject}`, SpanKind.CLIENT, attributes, () => this.timed<T>(subject, data, timeoutMs));
  }

  private async timed<T>(subject: string, data: unknown, timeoutMs: number): Promise<T> {
    const started = performance.now();
    try {
      const answer = await this.send<T>(subject, data, timeoutMs);
      recordServiceRequest(subject, started);
      return answer;
    } catch (err) {
      recordServiceRequest(subject, started, err);
      throw err;
    }
  }

  private async send<T>(subject: string, data: unknown, timeoutMs: number): Promise<T> {
    const id = `${process.pid}-${++nextId}`;
    // RequestMux, not nats.js request(): that one costs a timer and two Error objects per request.
    const msg = await (this.mux ??= new RequestMux(this.nc)).request(subject, rpcCodec.encode({ pattern: subject, data, id }), timeoutMs, traceHeaders());
    if (msg === NO_RESPONDERS) throw new NoRespondersError(subject);
    if (msg === TIMED_OUT) throw new ParleyError(ErrorCode.TIMEOUT, `${subject} did not answer in ${timeoutMs} ms`);
    const reply = rpcCodec.decode(msg.data) as NestReply<T> | null;
    return replyData<T>(subject, reply?.response, reply?.err ?? reply?.response);
  }

  /**
   * Scatter-gather: one request to every subscriber of `subject` (a subject served without a queue
   * group, NatsBus.serve), answers collected for `windowMs`, or until `expected` came (0: the whole
   * window). Failed and malformed answers are left out; nobody subscribed is an empty list.
   */
  async gather<T>(subject: string, data: unknown, opts: { windowMs: number; expected?: number }): Promise<T[]> {
    const expected = opts.expected ?? 0;
    const started = performance.now();
    const answers: T[] = [];
    try {
      const replies = await this.nc.requestMany(subject, rpcCodec.encode({ pattern: subject, data, id: `${process.pid}-${++nextId}` }), {
        strategy: expected > 0 ? RequestStrategy.Count : RequestStrategy.Timer,
        maxWait: opts.windowMs,
        ...(expected > 0 ? { maxMessages: expected } : {}),
        headers: traceHeaders(),
      });
      for await (const msg of replies) {
        try {
          const body = (rpcCodec.decode(msg.data) as NestReply<T>).response;
          if (body?.ok === true) answers.push(body.data);
        } catch {
          // an undecodable answer is one fewer
        }
      }
    } catch (err) {
      // No responders ends the iteration with an error: the answers so far (none) are the result.
      if ((err as NatsError).code !== NatsErrorCode.NoResponders) throw err;
    }
    recordServiceRequest(subject, started);
    return answers;
  }

  /** Fire-and-forget event to a Nest @EventPattern handler (one replica of the queue group takes it). */
  emit(subject: string, data: unknown): void {
    this.nc.publish(subject, rpcCodec.encode({ pattern: subject, data }), { headers: traceHeaders() });
  }
}
