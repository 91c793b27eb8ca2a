import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, PrismaModule } from '@parley/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './config/webhooks.config';
import { DispatchModule } from './dispatch/dispatch.module';
import { FanoutModule } from './fanout/fanout.module';

@Module({})
export class AppModule {
  static register(config: Readonly<WebhooksConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('webhooks', config.LOG_LEVEL),
        // Health's readiness probes NATS like every app's; the dispatcher itself only uses Postgres.
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-webhooks-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        DispatchModule,
        FanoutModule,
      ],
      providers: [{ provide: WEBHOOKS_CONFIG, useValue: config }],
      exports: [WEBHOOKS_CONFIG],
    };
  }
}
