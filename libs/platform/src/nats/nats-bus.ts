import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '@parley/contracts';
import { type ServiceReply } from '@parley/contracts/internal';
import type { JetStreamClient, JetStreamManager, Msg, MsgHdrs, NatsConnection, Subscription } from 'nats';
import { isTracingEnabled } from '../telemetry';
import { extractTraceContext, SpanKind, traceHeaders, withSpan } from '../telemetry/nats-context';
import { guardedCallback } from './guarded-callback';
import { rpcCodec } from './msgpack-serialization';
import { countHandledRequest } from './nats.metrics';
import { InjectNats } from './nats.tokens';
import { errorReply } from './service-reply';

/** The one MessagePack codec of NATS bodies and of Nest's envelope (createCodec from contracts). */
const codec = rpcCodec;

export type BusHandler = (body: unknown, msg: Msg) => void;

/** Answers one request's data; a throw (or rejection) answers its typed error. */
export type ServeHandler<T = unknown> = (data: unknown, msg: Msg) => T | Promise<T>;

/** Nest's request envelope, as ServiceClient sends it (it always names the pattern). */
interface RequestEnvelope {
  pattern: unknown;
  data?: unknown;
  id?: unknown;
}

const isRequestEnvelope = (decoded: unknown): decoded is RequestEnvelope => typeof decoded === 'object' && decoded !== null && 'pattern' in decoded;

export interface ServeOptions {
  /** Queue group: one member answers each request. Without it every subscriber gets it. */
  queue?: string;
  /** Requests whose data this server does not take are left unanswered, for another responder (a test stand-in serving one app). */
  accepts?: (data: unknown) => boolean;
}

/**
 * Parley's pub/sub on NATS behind one small interface (centrifugo's broker idea): one codec for
 * every body, trace context in headers, and subscriptions whose handlers can neither break nats.js
 * (guardedCallback) nor see undecodable bytes. App code uses this, not the raw NatsConnection.
 */
@Injectable()
export class NatsBus {
  private readonly logger = new Logger('NatsBus');

  constructor(@InjectNats() readonly connection: NatsConnection) {}

  encode(body: unknown): Uint8Array {
    return codec.encode(body);
  }

  decode(bytes: Uint8Array): unknown {
    return codec.decode(bytes);
  }

  /**
   * Encodes `body` once and publishes it on each subject; with `trace`, the active trace context
   * travels in the headers.
   */
  publish(subjects: string | readonly string[], body: unknown, opts: { trace?: boolean } = {}): void {
    const bytes = codec.encode(body);
    const headers = opts.trace ? traceHeaders() : undefined;
    if (typeof subjects === 'string') this.publishEncoded(subjects, bytes, headers);
    else for (const subject of subjects) this.publishEncoded(subject, bytes, headers);
  }

  /** Publishes bytes already encoded with this bus's codec (one encoding shared by many subjects). */
  publishEncoded(subject: string, bytes: Uint8Array, headers?: MsgHdrs): void {
    if (headers) this.connection.publish(subject, bytes, { headers });
    else this.connection.publish(subject, bytes);
  }

  /**
   * Subscribes `handler` to decoded bodies; a body that does not decode is logged and dropped, an
   * exception in the handler is logged and stays there.
   */
  subscribe(subject: string, handler: BusHandler, opts: { queue?: string } = {}): Subscription {
    return this.connection.subscribe(subject, {
      ...(opts.queue ? { queue: opts.queue } : {}),
      callback: guardedCallback(this.logger, (msg) => {
        let body: unknown;
        try {
          body = codec.decode(msg.data);
        } catch {
          this.logger.warn(`undecodable message on ${msg.subject} dropped`);
          return;
        }
        handler(body, msg);
      }),
    });
  }

  /**
   * Answers requests on a plain subscription as a Nest service pattern does, so ServiceClient.request
   * reaches it like any other: Nest's envelope ({pattern, data, id} → {id, response, isDisposed}),
   * the handler's result as a ServiceReply, its errors as typed codes (toParleyError), the caller's
   * trace continued. The handler runs synchronously up to its first await, in arrival order. A
   * body without the envelope is the data itself (as a Nest event); one that does not decode is
   * answered INVALID_ARGUMENT.
   */
  serve<T>(subject: string, handler: ServeHandler<T>, opts: ServeOptions = {}): Subscription {
    return this.connection.subscribe(subject, {
      ...(opts.queue ? { queue: opts.queue } : {}),
      callback: guardedCallback(this.logger, (msg) => this.answer(msg, handler, opts.accepts)),
    });
  }

  /** Unsubscribes, unless the connection is closed already (then the subscription is gone with it). */
  unsubscribe(sub: Subscription | undefined): void {
    if (sub && !this.closed) sub.unsubscribe();
  }

  /** Resolves once the server has processed everything sent so far (e.g. a new subscription). */
  flush(): Promise<void> {
    return this.connection.flush();
  }

  /** JetStream on this connection (the channel recovery stream). */
  jetstream(): JetStreamClient {
    return this.connection.jetstream();
  }

  jetstreamManager(): Promise<JetStreamManager> {
    return this.connection.jetstreamManager();
  }

  get closed(): boolean {
    return this.connection.isClosed();
  }

  private answer<T>(msg: Msg, handler: ServeHandler<T>, accepts: ServeOptions['accepts']): void {
    let id: unknown;
    let data: unknown;
    try {
      const decoded = codec.decode(msg.data);
      if (isRequestEnvelope(decoded)) ({ id, data } = decoded);
      else data = decoded;
    } catch {
      this.reply(msg, undefined, { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: `malformed request on ${msg.subject}` } });
      return;
    }
    if (accepts && !accepts(data)) return;
    const run = async () => handler(data, msg);
    const work = isTracingEnabled()
      ? withSpan(
          `process ${msg.subject}`,
          SpanKind.SERVER,
          { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject, 'messaging.operation.type': 'process' },
          run,
          extractTraceContext(msg.headers),
        )
      : run();
    void work.then(
      (result) => this.reply(msg, id, { ok: true, data: result === undefined ? null : result }),
      (err: unknown) => this.reply(msg, id, errorReply(msg.subject, err, this.logger)),
    );
  }

  private reply(msg: Msg, id: unknown, response: ServiceReply<unknown>): void {
    countHandledRequest(msg.subject, response);
    if (!msg.reply || this.closed) return;
    try {
      msg.respond(codec.encode({ id, response, isDisposed: true }));
    } catch (err) {
      this.logger.warn(`reply on ${msg.subject}: ${(err as Error).message}`);
    }
  }
}
