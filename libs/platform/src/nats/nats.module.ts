import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { connectNats, type NatsConnectOptions } from './nats-connect';
import { NATS_CONNECTION, InjectNats } from './nats.tokens';
import { NatsBus } from './nats-bus';
import { RequestMux } from './request-mux';
import { DEFAULT_SERVICE_TIMEOUT_MS, SERVICE_TIMEOUT_MS, ServiceClient } from './service-client';

export interface NatsModuleOptions extends NatsConnectOptions {
  /** Default timeout of every ServiceClient request (the app's SERVICE_TIMEOUT_MS). */
  serviceTimeoutMs?: number;
}

@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Nats');
  constructor(@InjectNats() private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    // drain: deliver what is in flight, then close; never leave a socket open (jest waits for it).
    if (!this.nc.isClosed()) await this.nc.drain().catch((err: Error) => this.logger.warn(err.message));
  }
}

/** One NATS connection per process for Parley's own pub/sub and service requests. */
@Global()
@Module({})
export class NatsModule {
  static forRoot(options: NatsModuleOptions): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          useFactory: () => connectNats(options),
        },
        { provide: SERVICE_TIMEOUT_MS, useValue: options.serviceTimeoutMs ?? DEFAULT_SERVICE_TIMEOUT_MS },
        NatsLifecycle,
        NatsBus,
        ServiceClient,
        RequestMux,
      ],
      exports: [NATS_CONNECTION, NatsBus, ServiceClient, RequestMux],
    };
  }
}
