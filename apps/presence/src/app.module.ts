import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsRetentionModule, HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { AdminModule } from './admin/admin.module';
import { UserBansModule } from './bans/user-bans.module';
import { PRESENCE_CONFIG, type PresenceConfig } from './config/presence.config';
import { OfflineModule } from './offline/offline.module';
import { SessionsModule } from './sessions/sessions.module';
import { UserEventsModule } from './user-events/user-events.module';

@Module({})
export class AppModule {
  static register(config: Readonly<PresenceConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('presence', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-presence-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        SessionsModule,
        OfflineModule,
        UserEventsModule,
        AppEventsRetentionModule.forKind('user', PRESENCE_CONFIG),
        UserBansModule,
        AdminModule,
      ],
      controllers: [pingController('presence')],
      providers: [{ provide: PRESENCE_CONFIG, useValue: config }],
      exports: [PRESENCE_CONFIG],
    };
  }
}
