import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, pingController } from '@parley/platform';
import type { MediaConfig } from './config/media.config';

/** The media service; it answers its health ping for now, its feature modules come with their issues. */
@Module({})
export class AppModule {
  static register(config: Readonly<MediaConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot('media', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-media-${process.pid}` }),
        HealthModule,
      ],
      controllers: [pingController('media')],
    };
  }
}
