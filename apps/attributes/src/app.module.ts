import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsRetentionModule, HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { ChannelAttributesModule } from './channel/channel-attributes.module';
import { ATTRIBUTES_CONFIG, type AttributesConfig } from './config/attributes.config';
import { MetadataModule } from './metadata/metadata.module';
import { UserAttributesModule } from './user/user-attributes.module';

@Module({})
export class AppModule {
  static register(config: Readonly<AttributesConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('attributes', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-attributes-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        UserAttributesModule,
        ChannelAttributesModule,
        MetadataModule,
        AppEventsRetentionModule.forKind('metadata', ATTRIBUTES_CONFIG),
      ],
      controllers: [pingController('attributes')],
      providers: [{ provide: ATTRIBUTES_CONFIG, useValue: config }],
      exports: [ATTRIBUTES_CONFIG],
    };
  }
}
