import type { Pool } from 'pg';

/** The pg-pool fields quietCheckouts reads (pg-pool 3.x); absent ones turn it off. */
interface PoolInternals {
  _idle?: unknown;
  _pendingQueue?: unknown;
  options?: { connectionTimeoutMillis?: number };
  connect: (...args: unknown[]) => unknown;
}

/**
 * A checkout that an idle connection serves at once arms no connection timer (issue 14, idle
 * cluster). pg-pool arms a `connectionTimeoutMillis` timer on every checkout and clears it a tick
 * later, when the idle connection is handed over. Node does not move its event-loop timer later when
 * the earliest timer is cleared: in an idle process whose next timer is further away (a 30 s sweep,
 * a NATS ping) the cleared timer still wakes the process `connectionTimeoutMillis` after every
 * statement, for nothing (~1–2 ms of CPU per wake-up on a VM). A checkout that has to wait (every
 * connection busy) or open a connection keeps the timeout.
 */
export function quietCheckouts<P extends Pool>(pool: P): P {
  const internals = pool as unknown as PoolInternals;
  const connect = internals.connect.bind(pool);
  internals.connect = (...args: unknown[]) => {
    const { _idle: idle, _pendingQueue: pending, options } = internals;
    const timeout = options?.connectionTimeoutMillis;
    // Served at once: more idle connections than checkouts already waiting for one.
    if (!options || !timeout || !Array.isArray(idle) || !Array.isArray(pending) || idle.length <= pending.length) return connect(...args);
    options.connectionTimeoutMillis = 0;
    try {
      return connect(...args);
    } finally {
      options.connectionTimeoutMillis = timeout;
    }
  };
  return pool;
}
