import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsRetentionModule, HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { AdminModule } from './admin/admin.module';
import { ChannelBansModule } from './bans/channel-bans.module';
import { ChannelEventsModule } from './channel-events/channel-events.module';
import { CHANNEL_CONFIG, type ChannelConfig } from './config/channel.config';
import { MembersModule } from './members/members.module';

@Module({})
export class AppModule {
  static register(config: Readonly<ChannelConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('channel', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-channel-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        MembersModule,
        ChannelEventsModule,
        AppEventsRetentionModule.forKind('channel', CHANNEL_CONFIG),
        ChannelBansModule,
        AdminModule,
      ],
      controllers: [pingController('channel')],
      providers: [{ provide: CHANNEL_CONFIG, useValue: config }],
      exports: [CHANNEL_CONFIG],
    };
  }
}
