import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { context as otelContext, SpanKind } from '@opentelemetry/api';
import { type ServiceReply } from '@parley/contracts/internal';
import type { NatsContext } from '@nestjs/microservices';
import { lastValueFrom, Observable } from 'rxjs';
import { extractTraceContext, isTracingEnabled, withSpan } from '../telemetry/nats-context';
import { countHandledRequest } from './nats.metrics';
import { errorReply } from './service-reply';

/**
 * Around every service handler: continues the caller's trace from the NATS headers in a
 * "process <subject>" span, and turns the result into the ServiceReply envelope — typed errors
 * travel as codes, anything unexpected as UNKNOWN (and is logged here, once). Counts each answer by
 * operation and result (parley_rpc_handled_total). When spans are not exported, no span is made (a
 * service answers thousands of requests a second in a login storm): the handler runs in the
 * caller's context when the request carried one, so what it calls continues the caller's trace.
 */
@Injectable()
export class RpcInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'rpc') return next.handle();
    const nats = ctx.switchToRpc().getContext<NatsContext>();
    const subject = nats.getSubject();
    if (!isTracingEnabled()) {
      const headers = nats.getHeaders();
      const answer = () => this.counted(subject, next);
      return this.answer(headers ? () => otelContext.with(extractTraceContext(headers), answer) : answer);
    }
    const parent = extractTraceContext(nats.getHeaders());
    const run = () =>
      withSpan(
        `process ${subject}`,
        SpanKind.SERVER,
        { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.operation.type': 'process' },
        () => this.counted(subject, next),
        parent,
      );
    return this.answer(() => otelContext.with(parent, run));
  }

  private answer(run: () => Promise<ServiceReply<unknown>>): Observable<ServiceReply<unknown>> {
    return new Observable((subscriber) => {
      run()
        .then((reply) => {
          subscriber.next(reply);
          subscriber.complete();
        })
        .catch((err: unknown) => subscriber.error(err));
    });
  }

  private async counted(subject: string, next: CallHandler): Promise<ServiceReply<unknown>> {
    const reply = await this.reply(subject, next);
    countHandledRequest(subject, reply);
    return reply;
  }

  private async reply(subject: string, next: CallHandler): Promise<ServiceReply<unknown>> {
    try {
      return { ok: true, data: await lastValueFrom(next.handle(), { defaultValue: null }) };
    } catch (err) {
      return errorReply(subject, err, this.logger);
    }
  }
}
