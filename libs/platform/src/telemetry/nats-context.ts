import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

let recording = false;

/** True when spans are exported: hot paths skip creating spans otherwise. */
export function isTracingEnabled(): boolean {
  return recording;
}

/** Set by startTelemetry (index.ts); kept here so the NATS clients need not load the OpenTelemetry SDK. */
export function setTracingEnabled(on: boolean): void {
  recording = on;
}

/** W3C trace context in NATS message headers (no NATS instrumentation exists for OpenTelemetry JS). */
const setter = { set: (carrier: MsgHdrs, key: string, value: string) => carrier.set(key, value) };
const getter = {
  get: (carrier: MsgHdrs | undefined, key: string) => carrier?.get(key) || undefined,
  keys: (carrier: MsgHdrs | undefined) => (carrier ? Array.from(carrier.keys()) : []),
};

/** Headers carrying the active trace context, or undefined when there is none (keeps hot-path messages small). */
export function traceHeaders(ctx: Context = context.active()): MsgHdrs | undefined {
  if (!trace.getSpanContext(ctx)) return undefined;
  const h = natsHeaders();
  propagation.inject(ctx, h, setter);
  return h;
}

export function extractTraceContext(h: MsgHdrs | undefined): Context {
  return h ? propagation.extract(context.active(), h, getter) : context.active();
}

export const tracer = () => trace.getTracer('parley');

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The context of a W3C traceparent a client sent with a request (an SDK call made of several
 * requests shares one), or the active context when there is none or it is malformed.
 */
export function clientTraceContext(traceparent: unknown): Context {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return context.active();
  return propagation.extract(ROOT_CONTEXT, { traceparent }, { get: (c, k) => c[k as 'traceparent'], keys: () => ['traceparent'] });
}

/**
 * Runs fn in a span named after the OpenTelemetry messaging conventions ("<operation> <destination>").
 */
export async function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: 2, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };

/**
 * The active span's W3C traceparent, or null when there is none (traces not exported): stored with
 * an event (app_events, a captured message) so that what it later causes can link back to it.
 */
export function activeTraceparent(ctx: Context = context.active()): string | null {
  const sc = trace.getSpanContext(ctx);
  if (!sc) return null;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A span link to a stored traceparent (none when it is null or malformed). */
export function linksTo(traceparent: string | null | undefined): Link[] {
  if (!traceparent || !TRACEPARENT.test(traceparent)) return [];
  const [, traceId, spanId, flags] = traceparent.split('-');
  return [{ context: { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16), isRemote: true } }];
}
