import { DynamicModule, INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { configureSubjects, Subjects, type ServiceName } from '@parley/contracts/internal';
import { Logger } from 'nestjs-pino';
import { ConfigError } from '../config/load-config';
import { MsgpackRecordSerializer, MsgpackRequestDeserializer } from '../nats/msgpack-serialization';
import { PrefixedNatsServer } from '../nats/prefixed-nats-server';
import { RpcInterceptor } from '../nats/rpc.interceptor';
import { stopTelemetry } from '../telemetry';

export interface BootstrapOptions {
  name: ServiceName | 'gateway' | 'api' | 'webhooks';
  module: Type<unknown> | DynamicModule;
  config: { NATS_URL: string; PORT: number; HOST: string; LISTEN_BACKLOG: number; SHUTDOWN_DEADLINE_MS: number; PARLEY_SUBJECT_PREFIX: string };
  /** Serve the service's NATS subjects (queue group shared by its replicas); the HTTP-only api serves none. */
  microservice: boolean;
  /** Runs after the HTTP server is created, before listen (the gateway attaches its WebSocket server). */
  beforeListen?: (app: INestApplication) => Promise<void> | void;
}

/** How often an internal-only HTTP server (health, metrics) checks for requests over their timeouts. */
const INTERNAL_HTTP_CHECK_MS = 300_000;

/**
 * `main.js --check-config`: the app validates its configuration (main.ts reads it before calling
 * bootstrap) and exits 0, or 78 through runMain, without connecting anywhere. `npm start` runs it
 * for every app before it starts any, to report every app's problems at once.
 */
export const CHECK_CONFIG_FLAG = '--check-config';

/**
 * Starts a Parley app: HTTP (health, API), optional NATS microservice with a queue group, and a
 * SIGTERM/SIGINT handler that closes everything within SHUTDOWN_DEADLINE_MS, then exits. Started by
 * a launcher with an IPC channel (npm start), the app also stops when that channel closes: the
 * launcher is gone, even if it was killed with SIGKILL, and nothing may outlive it.
 */
export async function bootstrap(opts: BootstrapOptions): Promise<INestApplication> {
  if (process.argv.includes(CHECK_CONFIG_FLAG)) {
    process.stdout.write(JSON.stringify({ msg: 'config ok', service: opts.name }) + '\n');
    process.exit(0);
  }
  // Before any module is created: every subject from here on carries the configured prefix.
  configureSubjects(opts.config.PARLEY_SUBJECT_PREFIX);
  const onLauncherGone = watchLauncher();
  const app = await NestFactory.create(opts.module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const log = new NestLogger('Bootstrap');
  if (opts.microservice && opts.name !== 'api' && opts.name !== 'webhooks') {
    // Before connectMicroservice: inheritAppConfig copies the app's global interceptors at that moment.
    app.useGlobalInterceptors(new RpcInterceptor());
    app.connectMicroservice<MicroserviceOptions>(serviceTransport(opts.name, opts.config), { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await opts.beforeListen?.(app);
  if (opts.name !== 'api' && opts.name !== 'gateway') {
    // Only probes and metrics scrapes come here (inside the cluster): Node's sweep for requests
    // over their header/request timeouts may run every 5 min instead of waking the process every
    // 30 s (issue 14, idle cluster). The api and the gateway face clients and keep Node's 30 s.
    (app.getHttpServer() as { connectionsCheckingInterval: number }).connectionsCheckingInterval = INTERNAL_HTTP_CHECK_MS;
  }
  // Nest hands its arguments on to Node's server.listen(port, host, backlog, callback); its type names only (port, host).
  const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  await listen(opts.config.PORT, opts.config.HOST, opts.config.LISTEN_BACKLOG);
  const address = app.getHttpServer().address() as { port: number };
  onLauncherGone(installShutdown(app, opts.config.SHUTDOWN_DEADLINE_MS, log));
  // Launchers (npm start, the test stack) wait for this line, whatever LOG_LEVEL says.
  process.stdout.write(JSON.stringify({ msg: 'ready', service: opts.name, port: address.port, pid: process.pid }) + '\n');
  return app;
}

/**
 * A service's NATS microservice: Nest's envelope in MessagePack, the service's queue group, and the
 * configured subject prefix in front of every pattern (PrefixedNatsServer). Used by bootstrap and
 * by test harnesses that start a replica in-process.
 */
export function serviceTransport(name: ServiceName | 'gateway', config: { NATS_URL: string; PARLEY_SUBJECT_PREFIX: string }): MicroserviceOptions {
  configureSubjects(config.PARLEY_SUBJECT_PREFIX);
  return {
    strategy: new PrefixedNatsServer(
      {
        servers: config.NATS_URL.split(','),
        queue: Subjects.queue(name),
        name: `parley-${name}-ms-${process.pid}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        serializer: new MsgpackRecordSerializer(),
        deserializer: new MsgpackRequestDeserializer(),
      },
      config.PARLEY_SUBJECT_PREFIX,
    ),
  };
}

/**
 * With an IPC channel from its launcher, the app stops (its normal shutdown, given to the returned
 * function once the app is up) when the channel closes. Closed while the app still boots, it exits
 * at once: nothing is served yet.
 */
function watchLauncher(): (stop: (why: string) => void) => void {
  let stop: ((why: string) => void) | undefined;
  if (process.channel) {
    process.once('disconnect', () => {
      if (stop) return stop('launcher gone (IPC channel closed)');
      process.stderr.write('launcher gone (IPC channel closed) before the app was ready: exiting\n');
      process.exit(1);
    });
  }
  return (shutdown) => {
    stop = shutdown;
  };
}

function installShutdown(app: INestApplication, deadlineMs: number, log: NestLogger): (why: string) => void {
  let closing = false;
  const stop = (why: string) => {
    if (closing) return;
    closing = true;
    log.log(`${why}: shutting down (deadline ${deadlineMs} ms)`);
    setTimeout(() => {
      log.error(`shutdown deadline of ${deadlineMs} ms passed, exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    app
      .close()
      .then(() => stopTelemetry())
      .then(() => process.exit(0))
      .catch((err: Error) => {
        log.error(`shutdown failed: ${err.message}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return stop;
}

/** main.ts wrapper: a ConfigError prints its list and exits 78 (EX_CONFIG); anything else exits 1. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  Promise.resolve()
    .then(main)
    .catch((err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`parley-${name}: ${err.message}\n`);
        process.exit(78);
      }
      process.stderr.write(`parley-${name}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
