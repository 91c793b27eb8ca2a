import { ValueType, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

/**
 * Attributes of one time series. Only values from a small fixed set (a kind, a result, an error code
 * name, an operation): never an app id, uid, channel or any other id.
 */
export type Labels = Readonly<Record<string, string>>;

/** More attribute sets than this on one instrument is a bug (an id slipped in): they share one series. */
const MAX_SERIES = 500;
const OVERFLOW: Labels = { 'otel.metric.overflow': 'true' };

const keyOf = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

/**
 * Series of one instrument, one cell per attribute set. bind() is for setup (it builds a key from
 * the attributes); hot paths keep the cell it returns, or look it up with a CellMap.
 */
abstract class Cells<C extends { readonly labels: Labels }> {
  protected readonly cells: C[] = [];
  private readonly byKey = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly description: string,
    readonly unit: string,
  ) {}

  /** The cell of this attribute set (the same one for equal sets). */
  bind(labels: Labels = {}): C {
    const key = keyOf(labels);
    let cell = this.byKey.get(key);
    if (cell) return cell;
    if (this.cells.length >= MAX_SERIES && labels !== OVERFLOW) return this.bind(OVERFLOW);
    cell = this.create(labels);
    this.byKey.set(key, cell);
    this.cells.push(cell);
    return cell;
  }

  /** Cells looked up by a bounded key (an operation's subject, an error code) with one Map lookup. */
  keyed<K>(labels: (key: K) => Labels): CellMap<K, C> {
    return new CellMap((key) => this.bind(labels(key)));
  }

  protected abstract create(labels: Labels): C;
  abstract data(start: HrTime, end: HrTime): MetricData | undefined;
}

/** key → cell, created on first use. Keys beyond MAX_SERIES are not remembered (still counted). */
export class CellMap<K, C> {
  private readonly map = new Map<K, C>();

  constructor(private readonly create: (key: K) => C) {}

  get(key: K): C {
    let cell = this.map.get(key);
    if (cell === undefined) {
      cell = this.create(key);
      if (this.map.size < MAX_SERIES) this.map.set(key, cell);
    }
    return cell;
  }
}

export class CounterCell {
  value = 0;
  constructor(readonly labels: Labels) {}

  add(n = 1): void {
    this.value += n;
  }
}

/** A monotonic counter: `cell.add(n)` is a number increment; the value is read when Prometheus scrapes. */
export class Counter extends Cells<CounterCell> {
  protected create(labels: Labels): CounterCell {
    return new CounterCell(labels);
  }

  data(start: HrTime, end: HrTime): MetricData | undefined {
    if (!this.cells.length) return undefined;
    return {
      descriptor: { name: this.name, description: this.description, unit: this.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: this.cells.map((c) => ({ startTime: start, endTime: end, attributes: c.labels, value: c.value })),
    };
  }
}

export class HistogramCell {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Bucket i holds values in (bounds[i-1], bounds[i]]; the last one everything above. */
  record(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/** A histogram with fixed buckets: `cell.record(v)` walks the bounds and bumps three numbers. */
export class Histogram extends Cells<HistogramCell> {
  constructor(
    name: string,
    description: string,
    unit: string,
    readonly bounds: readonly number[],
  ) {
    super(name, description, unit);
  }

  protected create(labels: Labels): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }

  data(start: HrTime, end: HrTime): MetricData | undefined {
    if (!this.cells.length) return undefined;
    return {
      descriptor: { name: this.name, description: this.description, unit: this.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: this.cells.map((c) => ({
        startTime: start,
        endTime: end,
        attributes: c.labels,
        value: { buckets: { boundaries: [...this.bounds], counts: [...c.counts] }, sum: c.sum, count: c.count },
      })),
    };
  }
}

/** Reports the current values of an observed instrument: report(value, attributes). */
export type Observe = (report: (value: number, labels?: Labels) => void) => void | Promise<void>;

/**
 * A value read when Prometheus scrapes (a gauge, or a counter kept elsewhere such as CPU time), from
 * sources the owners add and remove (a Nest provider adds its source at start, removes it at shutdown).
 */
export class Observed {
  readonly sources = new Set<Observe>();

  constructor(
    readonly kind: 'gauge' | 'counter',
    readonly name: string,
    readonly description: string,
    readonly unit: string,
  ) {}

  /** Adds a source; returns its removal. */
  observe(source: Observe): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}

/** Seconds, for latencies from a millisecond to ten seconds. */
export const LATENCY_SECONDS_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
