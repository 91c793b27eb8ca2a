/**
 * Loaded first by every app's main.ts (before Nest and http are required) so instrumentations can
 * patch modules. Import path: '@parley/platform/telemetry' — never the platform barrel, which pulls Nest in.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  ParentBasedSampler,
  AlwaysOnSampler,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { startMetrics, stopMetrics } from './metrics';
import { setTracingEnabled } from './nats-context';

export * from './nats-context';
export * from './metrics';

let sdk: NodeSDK | undefined;

/**
 * OTEL_TRACES_EXPORTER: "otlp" (default when OTEL_EXPORTER_OTLP_ENDPOINT is set), "console", or
 * "none". With "none" spans are not recorded (AlwaysOff), but W3C trace context is still
 * propagated, so a caller's trace continues through this process: a service handler makes no span
 * of its own then and runs in the caller's context (RpcInterceptor), so what it calls and what it
 * stores (app_events.trace_parent) names the caller's span, or nothing when the request carried no
 * trace context.
 * OTEL_METRICS_EXPORTER: "prometheus" (default: GET /metrics on the app's HTTP port) or "none".
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  const exporter = process.env['OTEL_TRACES_EXPORTER'] ?? (process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? 'otlp' : 'none');
  const spanProcessors: SpanProcessor[] = [];
  if (exporter === 'otlp') spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  if (exporter === 'console') spanProcessors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  setTracingEnabled(spanProcessors.length > 0);
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: process.env['OTEL_SERVICE_NAME'] ?? `parley-${serviceName}`,
    [ATTR_SERVICE_VERSION]: process.env['npm_package_version'] ?? '0.1.0',
  });
  if (process.env['OTEL_METRICS_EXPORTER'] !== 'none') startMetrics(resource);
  sdk = new NodeSDK({
    resource,
    // Metrics have their own MeterProvider (./metrics); without this sdk-node would add an OTLP metric reader.
    metricReaders: [],
    sampler: spanProcessors.length ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    // An empty processor list makes sdk-node skip the provider (all-zero trace ids): keep one.
    spanProcessors: spanProcessors.length ? spanProcessors : [new NoopSpanProcessor()],
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url?.startsWith('/health') === true || req.url === '/metrics' })],
  });
  sdk.start();
}

/**
 * Flushes and stops the SDK and the MeterProvider, waiting at most `timeoutMs`: exporting the last
 * spans must never keep a stopping process alive (sdk-node's shutdown was seen never to settle in the
 * media service, whose S3 client's keep-alive HTTP agent the http instrumentation wraps).
 */
export async function stopTelemetry(timeoutMs = 2_000): Promise<void> {
  const current = sdk;
  sdk = undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref()));
  const stopped = Promise.all([current?.shutdown().catch(() => undefined), stopMetrics().catch(() => undefined)]);
  await Promise.race([stopped, deadline]);
  clearTimeout(timer);
}
