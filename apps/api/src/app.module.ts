import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthModule, LoggingModule, NatsModule, PrismaModule } from '@parley/platform';
import { AdminModule } from './admin/admin.module';
import { AgoraModule } from './agora/agora.module';
import { API_CONFIG, type ApiConfig } from './config/api.config';
import { CorsMiddleware } from './http/cors.middleware';
import { ErrorsFilter } from './http/errors.filter';
import { HttpObservability } from './http/http-observability';
import { requestIdMiddleware } from './http/request-id';
import { OpenApiModule } from './openapi/openapi.module';
import { V1Module } from './v1/v1.module';

@Module({})
export class AppModule implements NestModule {
  static register(config: Readonly<ApiConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('api', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-api-${process.pid}`, serviceTimeoutMs: config.SERVICE_TIMEOUT_MS }),
        PrismaModule.forRoot(config),
        HealthModule,
        AgoraModule,
        V1Module,
        OpenApiModule,
        AdminModule,
      ],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorsFilter },
      ],
      exports: [API_CONFIG],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestIdMiddleware, HttpObservability, CorsMiddleware).forRoutes('*path');
  }
}
