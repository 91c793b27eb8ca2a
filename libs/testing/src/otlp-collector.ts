import { createServer, type Server } from 'node:http';

export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  /** The spans it links to (OpenTelemetry span links). */
  links: Array<{ traceId: string; spanId: string }>;
}

interface OtlpJson {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: Array<{ key: string; value: Record<string, unknown> }>;
        links?: Array<{ traceId: string; spanId: string }>;
      }>;
    }>;
  }>;
}

/**
 * A minimal OpenTelemetry collector for tests: receives OTLP/HTTP JSON (what
 * @opentelemetry/exporter-trace-otlp-http sends) from Parley's processes and keeps the spans in memory.
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        this.ingest(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson);
      } catch {
        /* not JSON: ignore */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  url = '';

  static async start(): Promise<OtlpCollector> {
    const collector = new OtlpCollector();
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    collector.url = `http://127.0.0.1:${(collector.server.address() as { port: number }).port}/v1/traces`;
    return collector;
  }

  /** Environment that makes a Parley process export its spans here, quickly. */
  env(): Record<string, string> {
    return {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: this.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
  }

  private ingest(body: OtlpJson): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
          const links = (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId }));
          this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind, attributes, links });
        }
      }
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
