import { resourceFromAttributes } from '@opentelemetry/resources';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { Subjects } from '@parley/contracts/internal';
import { scrapeMetrics, startMetrics, stopMetrics } from '../telemetry/metrics';
import { countHandledRequest, recordServiceRequest } from './nats.metrics';

const line = (text: string, start: string) => text.split('\n').find((l) => l.startsWith(start));
const value = (text: string, start: string) => Number(line(text, start)?.split(' ').pop());

describe('NATS request metrics', () => {
  beforeAll(() => startMetrics(resourceFromAttributes({ 'service.name': 'parley-unit' })));
  afterAll(() => stopMetrics());

  it('times requests by operation without the subject prefix or a replica id, and counts failures by error', async () => {
    const started = performance.now() - 20; // 20 ms ago
    recordServiceRequest(Subjects.presence.register, started);
    recordServiceRequest(Subjects.presence.register, started, new ParleyError(ErrorCode.TIMEOUT));
    recordServiceRequest(Subjects.media.uploads('a1b2c3'), started);
    recordServiceRequest(Subjects.media.uploads('d4e5f6'), started, new Error('not typed'));
    const text = (await scrapeMetrics())!.text;
    expect(value(text, 'parley_nats_request_duration_seconds_count{operation="presence.register"')).toBe(2);
    expect(value(text, 'parley_nats_request_duration_seconds_sum{operation="presence.register"')).toBeGreaterThanOrEqual(0.04);
    expect(value(text, 'parley_nats_request_duration_seconds_bucket{operation="presence.register",service_name="parley-unit",le="0.01"}')).toBe(0);
    expect(value(text, 'parley_nats_request_duration_seconds_bucket{operation="presence.register",service_name="parley-unit",le="+Inf"}')).toBe(2);
    expect(value(text, 'parley_nats_request_duration_seconds_count{operation="media.upload"')).toBe(2);
    expect(value(text, 'parley_nats_request_failures_total{operation="presence.register",error="TIMEOUT"')).toBe(1);
    expect(value(text, 'parley_nats_request_failures_total{operation="media.upload",error="UNKNOWN"')).toBe(1);
    expect(text).not.toContain('a1b2c3');
  });

  it('counts answered requests by operation and result', async () => {
    countHandledRequest(Subjects.channel.join, { ok: true, data: null });
    countHandledRequest(Subjects.channel.join, { ok: true, data: null });
    countHandledRequest(Subjects.channel.join, { ok: false, error: { code: ErrorCode.EXCEED_LIMIT, message: 'x' } });
    countHandledRequest('not.a.service.subject', { ok: true, data: null });
    const text = (await scrapeMetrics())!.text;
    expect(value(text, 'parley_rpc_handled_total{operation="channel.join",result="ok"')).toBe(2);
    expect(value(text, 'parley_rpc_handled_total{operation="channel.join",result="EXCEED_LIMIT"')).toBe(1);
    expect(value(text, 'parley_rpc_handled_total{operation="other",result="ok"')).toBe(1);
  });
});
