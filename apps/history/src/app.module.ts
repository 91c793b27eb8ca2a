import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, LoggingModule, NatsModule, PrismaModule, pingController } from '@parley/platform';
import { HISTORY_CONFIG, type HistoryConfig } from './config/history.config';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { QueryModule } from './query/query.module';
import { StoreModule } from './store/store.module';

@Module({})
export class AppModule {
  static register(config: Readonly<HistoryConfig>): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggingModule.forRoot('history', config.LOG_LEVEL),
        NatsModule.forRoot({ servers: config.NATS_URL, name: `parley-history-${process.pid}` }),
        PrismaModule.forRoot(config),
        HealthModule,
        StoreModule,
        QueryModule,
        MaintenanceModule,
      ],
      controllers: [pingController('history')],
      providers: [{ provide: HISTORY_CONFIG, useValue: config }],
      exports: [HISTORY_CONFIG],
    };
  }
}
