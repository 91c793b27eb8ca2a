import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, pingController } from '@parley/platform';
import type { ChannelConfig } from './config/channel.config';

/** The channel service; it answers its health ping for now, its feature modules come with their issues. */
@Module({})
export class AppModule {
  static register(config: Readonly<ChannelConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot('channel', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-channel-${process.pid}` }),
        HealthModule,
      ],
      controllers: [pingController('channel')],
    };
  }
}
