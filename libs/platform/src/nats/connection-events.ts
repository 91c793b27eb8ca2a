import { Logger } from '@nestjs/common';
import { Events, type NatsConnection } from 'nats';

export interface ConnectionListener {
  /** The connection to the NATS server was lost (nats.js keeps reconnecting). */
  disconnected?(): void;
  /**
   * Connected again: the subscriptions are active on the server again and what was published while
   * disconnected has been flushed. Messages other publishers sent meanwhile were not delivered.
   */
  reconnected?(): void;
}

const logger = new Logger('Nats');

/**
 * Calls `listener` on the connection's disconnects and reconnects (a NATS restart, a network cut):
 * what core NATS delivered while the connection was down is lost, and server state that lives in
 * memory (a memory JetStream stream) may be gone. Returns a function that stops listening.
 */
export function watchConnection(source: NatsConnection | { readonly connection: NatsConnection }, listener: ConnectionListener): () => void {
  const nc = 'connection' in source ? source.connection : source;
  const status = nc.status();
  let stopped = false;
  void (async () => {
    for await (const s of status) {
      if (stopped) break;
      try {
        if (s.type === Events.Disconnect) listener.disconnected?.();
        else if (s.type === Events.Reconnect) listener.reconnected?.();
      } catch (err) {
        logger.error(`connection listener failed: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  })();
  return () => {
    stopped = true;
    // nats.js's status iterator can be stopped; the AsyncIterable type does not say so.
    (status as Partial<{ stop(): void }>).stop?.();
  };
}
