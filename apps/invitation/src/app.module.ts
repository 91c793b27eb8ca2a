import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, pingController } from '@parley/platform';
import type { InvitationConfig } from './config/invitation.config';

/** The invitation service; it answers its health ping for now, its feature modules come with their issues. */
@Module({})
export class AppModule {
  static register(config: Readonly<InvitationConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot('invitation', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-invitation-${process.pid}` }),
        HealthModule,
      ],
      controllers: [pingController('invitation')],
    };
  }
}
