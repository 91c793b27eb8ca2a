import { performance } from 'node:perf_hooks';
import { configureSubjects, HistorySubjects } from '@parley/contracts/internal';
import { connectNatsClients } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { Client } from 'pg';
import { fmt, grid, percentiles, table } from '../lib/report';
import { startTarget } from '../lib/target';
import { measureOpenLoop } from './openloop';
import { measureP2p, type P2pOptions, type P2pResult } from './p2p';

export interface HistoryBenchOptions extends P2pOptions {
  /** Rows the query phase reads from (seeded once into the bench database, kept for later runs). */
  rows: number;
  /** Queries of each kind timed. */
  queries: number;
}

/** The bench app whose seeded history the query phase reads (kept in the bench database between runs). */
const SEED_APP = 'b0000000000000000000000000000001';
const DAY_MS = 86_400_000;
/** Channels and users the seeded rows are spread over. */
const SEED_CHANNELS = 10_000;
const SEED_USERS = 100_000;

/**
 * npm run bench -- history: P2P with history off, then on (same run, same stack, two history
 * replicas): throughput, latency and gateway CPU side by side; the capture lag (send → insert commit)
 * from the history replicas' histogram; then page / 1.x query / count latencies over --rows stored
 * messages (seeded once, spread over the last 6 days).
 */
export async function benchHistory(o: HistoryBenchOptions): Promise<void> {
  const target = await startTarget('parley', { gateways: 2, history: true });
  let off: P2pResult;
  let on: P2pResult;
  try {
    off = await measureP2p(target, { ...o, history: false });
    on = await measureP2p(target, { ...o, history: true });
    // The sender's latency when the box is not saturated: 500 msg/s on schedule, off then on.
    const open = { rate: 500, pairs: 50, bytes: o.bytes, seconds: o.seconds, warmup: o.warmup };
    const openOff = await measureOpenLoop(target, { ...open, history: false });
    const openOn = await measureOpenLoop(target, { ...open, history: true });
    const lag = await captureLag(target.stack!.processes.filter((p) => p.app === 'history').map((p) => p.port));
    console.log(`\nhistory: P2P ${o.pairs} pairs × ${o.inflight} in flight, ${o.bytes}-byte text, ${o.seconds} s each, ${o.client} clients`);
    console.log(
      grid(
        ['', 'history off', 'history on', 'on / off'],
        [
          ['acknowledged msg/s', fmt.rate(off.rate), fmt.rate(on.rate), (on.rate / off.rate).toFixed(2)],
          ['closed loop latency p50', fmt.ms(off.p50), fmt.ms(on.p50), (on.p50 / off.p50).toFixed(2)],
          ['closed loop latency p99', fmt.ms(off.p99), fmt.ms(on.p99), (on.p99 / off.p99).toFixed(2)],
          ['open loop 500 msg/s: p50', fmt.ms(openOff.p50), fmt.ms(openOn.p50), (openOn.p50 / openOff.p50).toFixed(2)],
          ['open loop 500 msg/s: p99', fmt.ms(openOff.p99), fmt.ms(openOn.p99), (openOn.p99 / openOff.p99).toFixed(2)],
          ['gateway CPU / msg', `${off.cpuPerMsgUs.toFixed(0)} µs`, `${on.cpuPerMsgUs.toFixed(0)} µs`, (on.cpuPerMsgUs / off.cpuPerMsgUs).toFixed(2)],
          ['capture lag (send → stored)', '—', `p50 ≤ ${lag.p50}  p99 ≤ ${lag.p99} (${lag.count} messages)`, ''],
        ],
      ),
    );
    await queryLatency(target.stack!.prefix, o);
  } finally {
    await target.stop();
  }
}

/** p50 / p99 upper bounds from the history replicas' parley_history_capture_lag buckets (summed over replicas). */
async function captureLag(ports: number[]): Promise<{ p50: string; p99: string; count: number }> {
  const buckets = new Map<number, number>();
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(/^parley_history_capture_lag_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
    }
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const count = sorted.at(-1)?.[1] ?? 0;
  const at = (q: number) => {
    const bound = sorted.find(([, n]) => n >= q * count)?.[0];
    return bound === undefined ? '—' : bound === Infinity ? '> 60 s' : fmt.ms(bound * 1000);
  };
  return { p50: at(0.5), p99: at(0.99), count };
}

/** Seeds SEED_APP's history up to `rows` (partitions for the last 6 days), then times pages, 1.x queries and counts. */
async function queryLatency(prefix: string, o: HistoryBenchOptions): Promise<void> {
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO apps (id, updated_at, history_retention_ms) VALUES ($1, now(), $2) ON CONFLICT (id) DO UPDATE SET history_retention_ms = $2, history_max_bytes = NULL`,
      [SEED_APP, 30 * DAY_MS],
    );
    const have = Number((await db.query(`SELECT count(*) AS n FROM history_messages WHERE app_id = $1`, [SEED_APP])).rows[0].n);
    if (have < o.rows) {
      const started = performance.now();
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      for (let d = 6; d >= 0; d--) {
        const day = today - d * DAY_MS;
        const name = `history_messages_${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
        await db
          .query(
            `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF history_messages FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
          )
          .catch(() => undefined);
      }
      // Half channel messages, half peer; spread evenly over the last 6 days (before now); 64-byte texts.
      const step = 200_000;
      for (let from = have; from < o.rows; from += step) {
        const to = Math.min(o.rows, from + step);
        await db.query(
          `INSERT INTO history_messages (app_id, ts, kind, src, dst, conv, msg_id, mtype, body, bytes)
           SELECT $1, now() - (($2::bigint - i) * (6 * 86400000 / $2::bigint)) * interval '1 millisecond',
                  CASE WHEN i % 2 = 0 THEN 'c' ELSE 'p' END,
                  'u' || (i * 7919 % ${SEED_USERS}),
                  CASE WHEN i % 2 = 0 THEN 'ch' || (i % ${SEED_CHANNELS}) ELSE 'u' || (i * 104729 % ${SEED_USERS}) END,
                  CASE WHEN i % 2 = 0 THEN 'ch' || (i % ${SEED_CHANNELS})
                       ELSE least('u' || (i * 7919 % ${SEED_USERS}), 'u' || (i * 104729 % ${SEED_USERS})) || E'\\n' ||
                            greatest('u' || (i * 7919 % ${SEED_USERS}), 'u' || (i * 104729 % ${SEED_USERS})) END,
                  'seed' || i, 1, decode('82a16b01a474657874d940' || repeat('78', 64), 'hex'), 80
           FROM generate_series($3::bigint, $4::bigint - 1) AS i
           ON CONFLICT DO NOTHING`,
          [SEED_APP, o.rows, from, to],
        );
        process.stdout.write(`\rseeding history: ${to.toLocaleString('en')} / ${o.rows.toLocaleString('en')} rows`);
      }
      await db.query('ANALYZE history_messages');
      console.log(`\nseeded ${(o.rows - have).toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await db.end();
  }
  configureSubjects(prefix);
  const nats = await connectNatsClients({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', name: 'bench-history' });
  try {
    const now = Date.now();
    const time = async (what: string, req: () => [string, object]): Promise<[string, string]> => {
      const latencies: number[] = [];
      for (let i = 0; i < o.queries; i++) {
        const [subject, body] = req();
        const t0 = performance.now();
        await nats.services.request(subject, body);
        latencies.push(performance.now() - t0);
      }
      const p = percentiles(latencies);
      return [what, `p50 ${fmt.ms(p.p50)}  p99 ${fmt.ms(p.p99)}`];
    };
    const rnd = (n: number) => Math.floor(Math.random() * n);
    const rows = [
      await time('channel page (20, newest)', () => [HistorySubjects.page, { appId: SEED_APP, kind: 'channel', a: `ch${rnd(SEED_CHANNELS)}`, limit: 20 }]),
      await time('channel page (20, 3 days back)', () => [
        HistorySubjects.page,
        { appId: SEED_APP, kind: 'channel', a: `ch${rnd(SEED_CHANNELS)}`, limit: 20, before: now - 3 * DAY_MS },
      ]),
      await time('1.x query by sender (100, 1 day)', () => [
        HistorySubjects.query,
        { appId: SEED_APP, source: `u${rnd(SEED_USERS)}`, startMs: now - 2 * DAY_MS, endMs: now - DAY_MS, offset: 0, limit: 100, order: 'desc' },
      ]),
      await time('1.x query by destination (100, 6 days)', () => [
        HistorySubjects.query,
        { appId: SEED_APP, destination: `ch${rnd(SEED_CHANNELS)}`, startMs: now - 6 * DAY_MS, endMs: now, offset: 0, limit: 100, order: 'asc' },
      ]),
      await time('1.x count by destination (6 days)', () => [
        HistorySubjects.count,
        { appId: SEED_APP, destination: `ch${rnd(SEED_CHANNELS)}`, startMs: now - 6 * DAY_MS, endMs: now },
      ]),
    ];
    console.log(`\nhistory queries over ${o.rows.toLocaleString('en')} stored messages (${o.queries} each, one at a time, through NATS):`);
    console.log(table(rows));
  } finally {
    await nats.close();
  }
}
