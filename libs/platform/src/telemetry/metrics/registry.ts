import type { Meter, ObservableResult } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { Counter, Histogram, Observed, type Labels } from './instruments';

/**
 * Parley's metrics: OpenTelemetry's MeterProvider with a Prometheus exporter that starts no server of
 * its own — every app serves GET /metrics on its HTTP port (MetricsController).
 *
 * Instruments are declared at module level (next to the code they measure), before or after the
 * provider starts. Counters and histograms keep plain numbers in cells bound once per attribute set:
 * the SDK's synchronous instruments hash their attributes on every call (≈0.5 µs and several
 * allocations), too much per message. A MetricProducer hands the cells to the exporter at each
 * scrape. Gauges are the SDK's observable instruments, read at each scrape.
 */
const counters = new Map<string, Counter>();
const histograms = new Map<string, Histogram>();
const observed = new Map<string, Observed>();

function declare<T extends { name: string }>(registry: Map<string, T>, name: string, make: () => T): T {
  const existing = registry.get(name);
  if (existing) return existing;
  if (counters.has(name) || histograms.has(name) || observed.has(name)) throw new Error(`metric ${name} is declared with another type`);
  const instrument = make();
  registry.set(name, instrument);
  return instrument;
}

/** A monotonic counter (Prometheus: `<name>_total`). Declaring a name again returns the same counter. */
export function counter(name: string, description: string, unit = ''): Counter {
  return declare(counters, name, () => new Counter(name, description, unit));
}

export function histogram(name: string, description: string, unit: string, bounds: readonly number[]): Histogram {
  return declare(histograms, name, () => new Histogram(name, description, unit, bounds));
}

/** A gauge read at each scrape from the sources its owners add. */
export function gauge(name: string, description: string, unit = ''): Observed {
  return declare(observed, name, () => bindToActive(new Observed('gauge', name, description, unit)));
}

/** A counter kept elsewhere (e.g. the process's CPU time), read at each scrape. */
export function observedCounter(name: string, description: string, unit = ''): Observed {
  return declare(observed, name, () => bindToActive(new Observed('counter', name, description, unit)));
}

/** Every declared metric's name as Prometheus shows it (counters with `_total`). */
export function declaredMetricNames(): string[] {
  const prom = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_{2,}/g, '_');
  const total = (name: string) => (name.endsWith('_total') ? name : `${name}_total`);
  return [
    ...[...counters.keys()].map((n) => total(prom(n))),
    ...[...histograms.keys()].map(prom),
    ...[...observed.values()].map((o) => (o.kind === 'counter' ? total(prom(o.name)) : prom(o.name))),
  ];
}

/** Errors of gauge sources since the last scrape (a failing source must not hide the others). */
let sourceErrors: unknown[] = [];

function bind(meter: Meter, o: Observed): void {
  const options = { description: o.description, unit: o.unit };
  const instrument = o.kind === 'gauge' ? meter.createObservableGauge(o.name, options) : meter.createObservableCounter(o.name, options);
  instrument.addCallback(async (result: ObservableResult) => {
    const report = (value: number, labels?: Labels) => result.observe(value, labels);
    await Promise.all(
      [...o.sources].map(async (source) => {
        try {
          await source(report);
        } catch (err) {
          sourceErrors.push(err);
        }
      }),
    );
  });
}

class CellsProducer implements MetricProducer {
  private readonly start = hrTime();

  async collect(): Promise<CollectionResult> {
    const end = hrTime();
    const metrics: MetricData[] = [];
    for (const instrument of [...counters.values(), ...histograms.values()]) {
      const data = instrument.data(this.start, end);
      if (data) metrics.push(data);
    }
    // The exporter takes the resource of the MeterProvider, not this one.
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: 'parley' }, metrics }] }, errors: [] };
  }
}

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const SCRAPE_TIMEOUT_MS = 5_000;

class MetricsPipeline {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [new CellsProducer()] });
  // service.name on every series (several apps behind one scrape job stay apart), no scope labels.
  private readonly serializer = new PrometheusSerializer(undefined, false, /^service\.name$/, false, true);
  private readonly provider: MeterProvider;
  readonly meter: Meter;

  constructor(resource: Resource) {
    this.provider = new MeterProvider({ resource, readers: [this.exporter] });
    this.meter = this.provider.getMeter('parley');
    for (const o of observed.values()) bind(this.meter, o);
  }

  async scrape(): Promise<MetricsScrape> {
    const { resourceMetrics, errors } = await this.exporter.collect({ timeoutMillis: SCRAPE_TIMEOUT_MS });
    const failed = sourceErrors;
    sourceErrors = [];
    return { text: this.serializer.serialize(resourceMetrics), errors: [...errors, ...failed] };
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

export interface MetricsScrape {
  text: string;
  /** Sources that failed (their series are missing from this scrape). */
  errors: unknown[];
}

let pipeline: MetricsPipeline | undefined;

function bindToActive(o: Observed): Observed {
  if (pipeline) bind(pipeline.meter, o);
  return o;
}

/** Starts the MeterProvider (once per process; startTelemetry calls it). */
export function startMetrics(resource: Resource): void {
  pipeline ??= new MetricsPipeline(resource);
}

export function metricsEnabled(): boolean {
  return pipeline !== undefined;
}

/** The current values in Prometheus text format; undefined when metrics are off. */
export function scrapeMetrics(): Promise<MetricsScrape | undefined> {
  return pipeline ? pipeline.scrape() : Promise.resolve(undefined);
}

/** Stops the MeterProvider (the caller bounds the wait). Cells keep counting; a new start exports them again. */
export async function stopMetrics(): Promise<void> {
  const current = pipeline;
  pipeline = undefined;
  await current?.shutdown();
}
