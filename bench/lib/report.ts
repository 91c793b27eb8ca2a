/** Latency percentiles (ms) from samples in ms. */
export function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  if (!samples.length) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

export const fmt = {
  ms: (v: number) => `${v.toFixed(2)} ms`,
  rate: (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0)),
  kb: (v: number) => `${(v / 1024).toFixed(1)} MB`,
};

export function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}
