import { DynamicModule, INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { Subjects, type ServiceName } from '@parley/contracts';
import { Logger } from 'nestjs-pino';
import { ConfigError } from '../config/load-config';
import { MsgpackRecordSerializer, MsgpackRequestDeserializer } from '../nats/msgpack-serialization';
import { RpcInterceptor } from '../nats/rpc.interceptor';
import { stopTelemetry } from '../telemetry';

export interface BootstrapOptions {
  name: ServiceName | 'gateway';
  module: Type<unknown> | DynamicModule;
  config: { NATS_URL: string; PORT: number; HOST: string; SHUTDOWN_DEADLINE_MS: number };
  /** Serve the service's NATS subjects (queue group shared by its replicas). */
  microservice: boolean;
  /** Runs after the HTTP server is created, before listen (the gateway attaches its WebSocket server). */
  beforeListen?: (app: INestApplication) => Promise<void> | void;
}

/**
 * Starts a Parley app: HTTP (health, API), optional NATS microservice with a queue group, and a
 * SIGTERM/SIGINT handler that closes everything within SHUTDOWN_DEADLINE_MS, then exits.
 */
export async function bootstrap(opts: BootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create(opts.module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const log = new NestLogger('Bootstrap');
  if (opts.microservice) {
    // Before connectMicroservice: inheritAppConfig copies the app's global interceptors at that moment.
    app.useGlobalInterceptors(new RpcInterceptor());
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.NATS,
        options: {
          servers: opts.config.NATS_URL.split(','),
          queue: Subjects.queue(opts.name),
          name: `parley-${opts.name}-ms-${process.pid}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          serializer: new MsgpackRecordSerializer(),
          deserializer: new MsgpackRequestDeserializer(),
        },
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
  }
  await opts.beforeListen?.(app);
  await app.listen(opts.config.PORT, opts.config.HOST);
  const address = app.getHttpServer().address() as { port: number };
  installShutdown(app, opts.config.SHUTDOWN_DEADLINE_MS, log);
  // Launchers (npm start, the test stack) wait for this line, whatever LOG_LEVEL says.
  process.stdout.write(JSON.stringify({ msg: 'ready', service: opts.name, port: address.port, pid: process.pid }) + '\n');
  return app;
}

function installShutdown(app: INestApplication, deadlineMs: number, log: NestLogger): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.log(`${signal}: shutting down (deadline ${deadlineMs} ms)`);
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
