import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { headers as natsHeaders } from 'nats';
import { firstValueFrom, of, throwError } from 'rxjs';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { activeTraceparent, setTracingEnabled } from '../telemetry/nats-context';
import { RpcInterceptor } from './rpc.interceptor';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** An rpc ExecutionContext for a NATS request on `subject`, with a caller's traceparent header when given. */
function rpc(subject: string, traceparent?: string): ExecutionContext {
  const h = traceparent ? natsHeaders() : undefined;
  if (h && traceparent) h.set('traceparent', traceparent);
  const nats = { getSubject: () => subject, getHeaders: () => h };
  return { getType: () => 'rpc', switchToRpc: () => ({ getContext: () => nats }) } as unknown as ExecutionContext;
}

describe('RpcInterceptor, spans not exported', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    setTracingEnabled(false);
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });

  it('makes no span and runs the handler in the caller’s trace context, so what it calls continues that trace', async () => {
    const getTracer = jest.spyOn(trace, 'getTracer');
    let seen: string | null = 'not run';
    const next: CallHandler = {
      handle: () => {
        seen = activeTraceparent();
        return of({ epoch: 1 });
      },
    };
    const reply = await firstValueFrom(new RpcInterceptor().intercept(rpc('svc.presence.register', CALLER), next));
    expect(reply).toEqual({ ok: true, data: { epoch: 1 } });
    expect(seen).toBe(CALLER);
    expect(getTracer).not.toHaveBeenCalled(); // no tracer, so no span
    getTracer.mockRestore();
  });

  it('runs a request without trace headers in no trace, and answers a typed error as its code', async () => {
    let seen: string | null = 'not run';
    const next: CallHandler = {
      handle: () => {
        seen = activeTraceparent();
        return throwError(() => new ParleyError(ErrorCode.INVALID_ARGUMENT, 'uid: bad'));
      },
    };
    const reply = await firstValueFrom(new RpcInterceptor().intercept(rpc('svc.presence.register'), next));
    expect(seen).toBeNull();
    expect(reply).toMatchObject({ ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: 'uid: bad' } });
  });

  it('makes its "process <subject>" span when spans are exported', async () => {
    setTracingEnabled(true);
    try {
      const getTracer = jest.spyOn(trace, 'getTracer');
      await firstValueFrom(new RpcInterceptor().intercept(rpc('svc.presence.register', CALLER), { handle: () => of(null) }));
      expect(getTracer).toHaveBeenCalledWith('parley');
      getTracer.mockRestore();
    } finally {
      setTracingEnabled(false);
    }
  });

  it('keeps the flags of the caller’s context (an unsampled caller stays unsampled)', async () => {
    let seen: string | null = null;
    await firstValueFrom(
      new RpcInterceptor().intercept(rpc('svc.x', CALLER.replace(/-01$/, '-00')), {
        handle: () => {
          seen = activeTraceparent();
          return of(null);
        },
      }),
    );
    expect(seen).toBe(CALLER.replace(/-01$/, `-0${TraceFlags.NONE}`));
  });
});
