import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { gauge, observedCounter } from './registry';

/** Every app's process: memory, CPU time and event loop delay, read at each scrape (nothing on the hot path). */
const residentMemory = gauge('parley.process.resident_memory_bytes', 'Resident set size of the process', 'By');
const heapUsed = gauge('parley.process.heap_used_bytes', 'V8 heap in use', 'By');
const cpu = observedCounter('parley.process.cpu_seconds', 'CPU time of the process by mode (user, system)', 's');
const eventLoopDelay = gauge(
  'parley.process.event_loop_delay_seconds',
  'Event loop delay since the previous scrape (stat: p50, p99, max), sampled every 20 ms',
  's',
);

const USER = { mode: 'user' };
const SYSTEM = { mode: 'system' };
const P50 = { stat: 'p50' };
const P99 = { stat: 'p99' };
const MAX = { stat: 'max' };

residentMemory.observe((report) => report(process.memoryUsage.rss()));
heapUsed.observe((report) => report(process.memoryUsage().heapUsed));
cpu.observe((report) => {
  const { user, system } = process.cpuUsage();
  report(user / 1e6, USER);
  report(system / 1e6, SYSTEM);
});

// Enabled at the first scrape: a process nobody scrapes runs no sampling timer.
let delays: IntervalHistogram | undefined;
eventLoopDelay.observe((report) => {
  if (!delays) {
    delays = monitorEventLoopDelay({ resolution: 20 });
    delays.enable();
    return;
  }
  if (delays.count > 0) {
    report(delays.percentile(50) / 1e9, P50);
    report(delays.percentile(99) / 1e9, P99);
    report(delays.max / 1e9, MAX);
  }
  delays.reset();
});
