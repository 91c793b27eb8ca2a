import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, pingController } from '@parley/platform';
import type { AttributesConfig } from './config/attributes.config';

/** The attributes service; it answers its health ping for now, its feature modules come with their issues. */
@Module({})
export class AppModule {
  static register(config: Readonly<AttributesConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot('attributes', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-attributes-${process.pid}` }),
        HealthModule,
      ],
      controllers: [pingController('attributes')],
    };
  }
}
