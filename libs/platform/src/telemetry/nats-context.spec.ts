import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { activeTraceparent, linksTo } from './nats-context';

describe('stored trace context', () => {
  const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

  it('is the active span’s W3C traceparent, or null without one', () => {
    expect(activeTraceparent(ROOT_CONTEXT)).toBeNull();
    const ctx = trace.setSpanContext(context.active(), spanContext);
    expect(activeTraceparent(ctx)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(activeTraceparent(trace.setSpanContext(ROOT_CONTEXT, { ...spanContext, traceFlags: TraceFlags.NONE }))).toMatch(/-00$/);
  });

  it('links back to a stored traceparent; none for null or a malformed one', () => {
    expect(linksTo('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual([
      { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true } },
    ]);
    expect(linksTo(null)).toEqual([]);
    expect(linksTo(undefined)).toEqual([]);
    expect(linksTo('00-zz-b7ad6b7169203331-01')).toEqual([]);
  });
});
