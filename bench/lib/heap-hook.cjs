// Preloaded into a gateway by the bench (node --require / NODE_OPTIONS), Parley's and the pipe's
// alike: on SIGUSR2 it runs a full GC and writes the heap figures to $PARLEY_BENCH_HEAP_DIR/<pid>.json.
// Inspector-free, and nothing of it is in the product.
'use strict';
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const dir = process.env.PARLEY_BENCH_HEAP_DIR;
if (dir) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const heap = v8.getHeapStatistics();
    const mem = process.memoryUsage();
    const file = join(dir, `${process.pid}.json`);
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const body = JSON.stringify({
      at: Date.now(),
      heapUsed: heap.used_heap_size,
      external: mem.external,
      rss: mem.rss,
      heapCommitted: heap.total_heap_size,
      newSpace: newSpace ? newSpace.space_size : 0,
    });
    writeFileSync(`${file}.tmp`, body);
    renameSync(`${file}.tmp`, file);
  });
}
