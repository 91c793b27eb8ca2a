import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsRetentionModule, HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { INVITATION_CONFIG, type InvitationConfig } from './config/invitation.config';
import { InvitationsModule } from './invitations/invitations.module';

@Module({})
export class AppModule {
  static register(config: Readonly<InvitationConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('invitation', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-invitation-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        InvitationsModule,
        AppEventsRetentionModule.forKind('invite', INVITATION_CONFIG),
      ],
      controllers: [pingController('invitation')],
      providers: [{ provide: INVITATION_CONFIG, useValue: config }],
      exports: [INVITATION_CONFIG],
    };
  }
}
