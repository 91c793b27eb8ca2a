import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsRetentionModule, HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { MEDIA_CONFIG, type MediaConfig } from './config/media.config';
import { MediaModule } from './media/media.module';

@Module({})
export class AppModule {
  static register(config: Readonly<MediaConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('media', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-media-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        MediaModule,
        AppEventsRetentionModule.forKind('media', MEDIA_CONFIG),
      ],
      controllers: [pingController('media')],
      providers: [{ provide: MEDIA_CONFIG, useValue: config }],
      exports: [MEDIA_CONFIG],
    };
  }
}
