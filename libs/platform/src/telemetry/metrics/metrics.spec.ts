import { resourceFromAttributes } from '@opentelemetry/resources';
import { CachedValue, CachedValues, counter, declaredMetricNames, gauge, histogram, metricsEnabled, scrapeMetrics, startMetrics, stopMetrics } from '.';

/** name{labels} → value, from Prometheus text (labels in the order the exporter writes them). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(): Promise<{ text: string; values: Map<string, number> }> {
  const result = await scrapeMetrics();
  if (!result) throw new Error('metrics are off');
  expect(result.errors).toEqual([]);
  return { text: result.text, values: samples(result.text) };
}

describe('metrics registry and Prometheus text', () => {
  beforeAll(() => startMetrics(resourceFromAttributes({ 'service.name': 'parley-test' })));
  afterAll(() => stopMetrics());

  it('exports a counter bound per attribute set as <name>_total with service_name, and target_info', async () => {
    const things = counter('parley.test.things', 'Things counted');
    const a = things.bind({ kind: 'a' });
    const b = things.bind({ kind: 'b' });
    a.add();
    a.add(2);
    b.add();
    expect(things.bind({ kind: 'a' })).toBe(a); // equal sets share one cell
    const { text, values } = await scrape();
    expect(values.get('parley_test_things_total{kind="a",service_name="parley-test"}')).toBe(3);
    expect(values.get('parley_test_things_total{kind="b",service_name="parley-test"}')).toBe(1);
    expect(text).toContain('# TYPE parley_test_things_total counter');
    expect(text).toContain('# HELP parley_test_things_total Things counted');
    expect(text).toMatch(/^target_info\{[^}]*service_name="parley-test"[^}]*\} 1$/m);
    expect(text).not.toContain('otel_scope_name');
  });

  it('counts on between scrapes (cumulative), and returns the same counter for the same name', async () => {
    const things = counter('parley.test.things', 'Things counted');
    things.bind({ kind: 'a' }).add(10);
    expect((await scrape()).values.get('parley_test_things_total{kind="a",service_name="parley-test"}')).toBe(13);
    expect(() => histogram('parley.test.things', 'x', 's', [1])).toThrow(/another type/);
  });

  it('exports a histogram with cumulative buckets whose upper bounds are inclusive', async () => {
    const latency = histogram('parley.test.latency_seconds', 'Latency', 's', [0.01, 0.1, 1]);
    const cell = latency.bind({ operation: 'x' });
    for (const v of [0.005, 0.01, 0.05, 0.5, 2]) cell.record(v);
    const { values, text } = await scrape();
    const bucket = (le: string) => values.get(`parley_test_latency_seconds_bucket{operation="x",service_name="parley-test",le="${le}"}`);
    expect([bucket('0.01'), bucket('0.1'), bucket('1'), bucket('+Inf')]).toEqual([2, 3, 4, 5]);
    expect(values.get('parley_test_latency_seconds_count{operation="x",service_name="parley-test"}')).toBe(5);
    expect(values.get('parley_test_latency_seconds_sum{operation="x",service_name="parley-test"}')).toBeCloseTo(2.565);
    expect(text).toContain('# TYPE parley_test_latency_seconds histogram');
  });

  it('reads gauges from their sources at each scrape, until a source is removed', async () => {
    const depth = gauge('parley.test.depth', 'Depth');
    let value = 7;
    const remove = depth.observe((report) => report(value, { state: 'open' }));
    expect((await scrape()).values.get('parley_test_depth{state="open",service_name="parley-test"}')).toBe(7);
    value = 9;
    expect((await scrape()).values.get('parley_test_depth{state="open",service_name="parley-test"}')).toBe(9);
    remove();
    value = 11; // the source is not asked any more (the SDK repeats a gauge's last value)
    expect((await scrape()).values.get('parley_test_depth{state="open",service_name="parley-test"}')).not.toBe(11);
  });

  it('reports a failing gauge source as an error without losing the other sources of the gauge', async () => {
    const g = gauge('parley.test.flaky', 'Flaky');
    const removeGood = g.observe((report) => report(1, { source: 'good' }));
    const removeBad = g.observe(() => Promise.reject(new Error('database down')));
    const result = await scrapeMetrics();
    expect(result!.errors.map((e) => (e as Error).message)).toEqual(['database down']);
    expect(samples(result!.text).get('parley_test_flaky{source="good",service_name="parley-test"}')).toBe(1);
    removeGood();
    removeBad();
  });

  it('exports the process metrics of every app', async () => {
    const { values } = await scrape();
    expect(values.get('parley_process_resident_memory_bytes{service_name="parley-test"}')).toBeGreaterThan(10_000_000);
    expect(values.get('parley_process_cpu_seconds_total{mode="user",service_name="parley-test"}')).toBeGreaterThan(0);
    expect(declaredMetricNames()).toEqual(
      expect.arrayContaining(['parley_test_things_total', 'parley_test_latency_seconds', 'parley_process_resident_memory_bytes']),
    );
  });

  it('puts attribute sets past the limit into one overflow series instead of growing without bound', async () => {
    const wide = counter('parley.test.wide', 'Too many attribute sets');
    for (let i = 0; i < 600; i++) wide.bind({ id: String(i) }).add();
    const keys = [...(await scrape()).values.keys()].filter((k) => k.startsWith('parley_test_wide_total'));
    expect(keys).toHaveLength(501);
    expect((await scrape()).values.get('parley_test_wide_total{otel_metric_overflow="true",service_name="parley-test"}')).toBe(100);
  });
});

describe('metrics off', () => {
  it('scrapes nothing once stopped, and stops quickly', async () => {
    startMetrics(resourceFromAttributes({ 'service.name': 'parley-test' }));
    const started = Date.now();
    await stopMetrics();
    expect(Date.now() - started).toBeLessThan(500);
    expect(metricsEnabled()).toBe(false);
    expect(await scrapeMetrics()).toBeUndefined();
  });
});

describe('CachedValue', () => {
  it('runs the query at most once per maxAge, shares a running query and does not cache failures', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const sut = new CachedValue(
      async () => {
        calls++;
        if (fail) throw new Error('down');
        return calls;
      },
      15_000,
      () => now,
    );
    expect(await Promise.all([sut.get(), sut.get()])).toEqual([1, 1]);
    now = 14_999;
    expect(await sut.get()).toBe(1);
    now = 15_000;
    fail = true;
    await expect(sut.get()).rejects.toThrow('down');
    fail = false;
    expect(await sut.get()).toBe(3);
    expect(calls).toBe(3);
  });
});

describe('CachedValues', () => {
  it('caches each key on its own, and starts over past maxKeys', async () => {
    let now = 0;
    const calls: string[] = [];
    const sut = new CachedValues(
      async (key) => {
        calls.push(key);
        return `${key}:${calls.length}`;
      },
      1_000,
      2,
      () => now,
    );
    expect(await Promise.all([sut.get('a'), sut.get('a'), sut.get('b')])).toEqual(['a:1', 'a:1', 'b:2']);
    now = 999;
    expect(await sut.get('a')).toBe('a:1');
    now = 1_000;
    expect(await sut.get('a')).toBe('a:3');
    // A third key: the cache starts over, so 'b' is asked again.
    expect(await sut.get('c')).toBe('c:4');
    expect(await sut.get('b')).toBe('b:5');
    expect(calls).toEqual(['a', 'b', 'a', 'c', 'b']);
  });
});
