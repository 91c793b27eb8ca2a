import { Injectable, Logger } from '@nestjs/common';
import { createCodec } from '@parley/contracts';
import type { JetStreamClient, JetStreamManager, Msg, MsgHdrs, NatsConnection, Subscription } from 'nats';
import { traceHeaders } from '../telemetry/nats-context';
import { guardedCallback } from './guarded-callback';
import { InjectNats } from './nats.tokens';

const codec = createCodec();

export type BusHandler = (body: unknown, msg: Msg) => void;

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

  /** Encodes and publishes `body`; with `trace`, the active trace context travels in the headers. */
  publish(subject: string, body: unknown, opts: { trace?: boolean } = {}): void {
    this.publishEncoded(subject, codec.encode(body), opts.trace ? traceHeaders() : undefined);
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
}
