import { connect, type NatsConnection } from 'nats';
import { coalesceWrites } from './coalesce-writes';
import { NatsBus } from './nats-bus';
import { DEFAULT_SERVICE_TIMEOUT_MS, ServiceClient } from './service-client';

export interface NatsConnectOptions {
  /** Comma-separated server URLs. */
  servers: string;
  /** Connection name shown by the NATS server (monitoring). */
  name: string;
}

/** A connection with the settings of every Parley process (NatsModule's, and the standalone clients'). */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // A server that vanished without closing the socket (a partition, a dead host) is noticed after
    // two unanswered pings: 60–90 s; a restart or crash closes the socket and is noticed at once.
    // Every ping wakes an idle process twice (PING, PONG): 10 s cost each idle replica ~0.2 wake-ups
    // a second (issue 14, idle cluster). nats.js's default is 2 min.
    pingInterval: 30_000,
    // Every request would otherwise capture a stack trace (an Error per message on the hot path).
    noAsyncTraces: true,
  });
  coalesceWrites(nc);
  return nc;
}

/** NatsModule's bus and service client outside a Nest app, on a connection of their own. */
export interface NatsClients {
  readonly bus: NatsBus;
  readonly services: ServiceClient;
  /** Delivers what is in flight, then closes the connection. */
  close(): Promise<void>;
}

/** Connects the bus and a service client (test harnesses, tools): what an app gets injected, without Nest. */
export async function connectNatsClients(options: NatsConnectOptions & { serviceTimeoutMs?: number }): Promise<NatsClients> {
  const nc = await connectNats(options);
  return {
    bus: new NatsBus(nc),
    services: new ServiceClient(nc, options.serviceTimeoutMs ?? DEFAULT_SERVICE_TIMEOUT_MS),
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
