import { Logger } from '@nestjs/common';

/**
 * The end of the current event-loop turn, shared by everything in the process that batches per turn
 * (the gateway's socket writes, service request batches, peer route batches, history captures) and
 * by the NATS connections' writes (coalesceWrites): the turn's batches are flushed first, then the
 * sockets to NATS are written once, all within one check phase of the loop.
 *
 * Each batcher scheduling its own setImmediate, and the NATS write following them by two more
 * hops, cost every message at low load three loop iterations (~0.15 ms on a small VM per path)
 * before its bytes left. Here the first call of a turn queues two immediates back to back: the
 * first runs the turn's work (`atTurnEnd`), the second (after the microtasks the work set off,
 * which Node runs between immediates) runs the work queued meanwhile and then the writes
 * (`afterTurnEnd`).
 */
const work: Array<() => void> = [];
const writes: Array<() => void> = [];
let scheduled = false;
const logger = new Logger('TurnEnd');

/** Runs `fn` at the end of this turn (once per call), before the writes of `afterTurnEnd`. */
export function atTurnEnd(fn: () => void): void {
  work.push(fn);
  schedule();
}

/** Runs `fn` after the turn's `atTurnEnd` work (and what it queued): a connection's one write of the turn. */
export function afterTurnEnd(fn: () => void): void {
  writes.push(fn);
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runWork);
  setImmediate(runAll);
}

const runWork = (): void => drain(work);

const runAll = (): void => {
  // Work queued by the microtasks of the first pass joins this one; writes last, and anything they queue too.
  while (work.length || writes.length) {
    drain(work);
    drain(writes);
  }
  scheduled = false;
};

function drain(queue: Array<() => void>): void {
  // Callbacks queued while draining run in this pass (a flush that publishes queues the connection's write).
  for (let i = 0; i < queue.length; i++) {
    try {
      queue[i]!();
    } catch (err) {
      // One batcher's failure stays with it: a throw out of an immediate would end the process.
      logger.error(`end-of-turn callback failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  queue.length = 0;
}
