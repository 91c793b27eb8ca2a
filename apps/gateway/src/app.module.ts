import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, PrismaModule } from '@parley/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { WebModule } from './web/web.module';
import { WsModule } from './ws/ws.module';

@Module({})
export class AppModule {
  static register(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('gateway', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-gateway-${config.GATEWAY_ID}`, serviceTimeoutMs: config.SERVICE_TIMEOUT_MS }),
        PrismaModule.forRoot(config),
        HealthModule,
        WsModule,
        WebModule,
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}
